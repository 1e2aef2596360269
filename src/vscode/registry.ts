/** The check kinds the extension offers: the same registry the CLI uses. */
export { defaultRegistry as createRegistry, disposeKinds } from '../core/kinds';
