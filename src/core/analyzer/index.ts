/** The Python agent-code analyzer (no `vscode`): rules ENG001–ENG008 (one module each, `rules/`), fixes, workspace scan, `analyze` kind. */
export { loadPythonParser, locate, ANALYZER_QUERY, RUNTIME_WASM, PYTHON_WASM, type LoadOptions, type PythonParser } from './parser';
export { analyzeUnits, parseDirectives, ENGRAMIA_SDK_MODULE, DEFAULT_MEMORY_VARIABLE, type AnalysisResult, type AnalyzeOptions, type Finding, type Fix, type Unit } from './analyze';
export { analyzeText, analyzeCells, mayContainAgentCode, IncrementalDocument, type ContentChange } from './document';
export { RULES, RULE_IDS, RULE_LIST, DEFAULT_RULES, ruleInfo, parseRuleId, parseRuleList, ruleDocPath, versionLessThan, type Rule, type RuleId, type RuleInfo, type RuleMeta, type Severity } from './rules';
export { LineTable, applyEdits, applyTextEdits, mergeEdits, type Position, type TextRange, type TextEdit, type OffsetEdit } from './text';
export { scanWorkspace, listPythonFiles, analyzeFile, notebookCodeCells, globToMatcher, localAgentsPackageNames, ScanCancelled, SKIP_DIRS, type ScanOptions, type ScanResult, type WorkspaceFinding } from './workspace';
export { detectEngramiaVersion, findInstalledVersion, versionFromMetadata, type InstalledVersion, type VersionLookup } from './engramiaVersion';
export { analyzeKind, type AnalyzeAttributes } from './checkKind';
