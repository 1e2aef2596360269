/** Engramia: typed REST client, probes and the `engramia` check kind (registered by the composition root). */
export { EngramiaClient, keyPrefix, KEY_FORMAT } from './client';
export type { EngramiaClientOptions, Exchange, LearnRequest, RecallRequest } from './client';
export { EngramiaApiError, EngramiaNetworkError, SchemaDriftError, describeError } from './errors';
export { detectRole, detectVersion } from './detect';
export type { RoleFacts, VersionFacts } from './detect';
export { engramiaKind, PROBES, PROBE_NAMES, DESTRUCTIVE_PROBES, WRITING_PROBES, isDestructiveEngramiaCheck, parseEngramiaBody } from './kind';
export type { EngramiaAttributes, ProbeName } from './kind';
export * from './schemas';
