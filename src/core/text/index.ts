export { formatDuration } from './duration';
export { oneLine } from './oneLine';
