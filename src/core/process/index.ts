/**
 * Process check kinds (`shell`, `python`), interpreter lookup and process-tree kill.
 * Register with: `registry.register(shellKind).register(pythonKind)`.
 */
export { shellKind, pythonKind, processEnv, reasonFromOutput, verdictForExit, inputEnvNamesOf, PROCESS_SUBJECTS } from './kinds';
export type { ShellAttributes, PythonAttributes } from './kinds';
export { findPython, resolvePython, pythonVersion, whichSync } from './python';
export type { PythonInterpreter } from './python';
export { runProcessTree, killGroup, groupAlive } from './tree';
export type { ProcessSpec, ProcessOutcome } from './tree';
export { applyProposedEdit, lineDiff } from './edit';
export { untilAborted } from '../checks/abort';
