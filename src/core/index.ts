/**
 * The library entry (built to dist/core.js): the VS Code-free core. Runbook markdown ↔ notebook
 * cells, the check contract, registry and engine, and secret masking. Other areas add their
 * exports below, one line each.
 */
export * from './runbook';
export * from './checks/types';
export { CheckRegistry, parseDuration, describeZodError, commonAttributes, booleanAttribute, durationAttribute, type CommonAttributes, type ValidatedAttributes } from './checks/registry';
export { formatDuration, oneLine } from './text';
export { runCheck, silentLogger, CheckTimeoutError, type CheckSpec, type EngineEnvironment, type RunOptions } from './checks/engine';
export { Masker, StreamMasker, MASK, MIN_SECRET_LENGTH, secretProblem, secretForms, environmentSecrets, isSecretEnvName } from './secrets/mask';
export * from './plan';
export * from './cutover';
export * from './evidence';
export { defaultRegistry, disposeKinds, isDestructiveCheck } from './kinds';
