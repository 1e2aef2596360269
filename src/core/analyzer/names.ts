/** Names the analyzer matches and the fixes write. */
export const ENGRAMIA_SDK_MODULE = 'engramia.sdk.openai_agents';
export const ENGRAMIA_PROVIDERS_MODULE = 'engramia.providers';
export const DEFAULT_MEMORY_VARIABLE = 'memory';
/** The `RunHooks` subclass the ENG001/ENG003 fixes define when the workspace has none to import. */
export const HOOKS_CLASS_NAME = 'EngramiaAgentsHooks';
/** Where a memory the fixes bind keeps its patterns (JSONStorage path), unless configured. */
export const DEFAULT_STORAGE_PATH = './engramia_data';
