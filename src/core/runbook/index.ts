/**
 * The runbook core: markdown ↔ notebook cells, byte-exact. No `vscode` here.
 */
export * from './model';
export { parseRunbook, failureCellValue, type ParseOptions } from './parse';
export { serializeRunbook, serializeRunbookBytes, type SerializeMeta } from './serialize';
export { deriveRunbook, sectionProgress, DEFAULT_CHECK_KINDS, type DeriveOptions, type SectionProgress } from './derive';
export { valueOf, valueOfRaw, splitLines, dominantEol, type Line, type Eol } from './lines';
export { parseInfoString, formatInfoString, formatAttributes, type InfoString, type AttributeStyle } from './infoString';
export { parseFrontMatter } from './frontMatter';
export { setTaskChecked, taskOf, headingOf, slug } from './text';
export { listChecks, findCheck, type CheckListing } from './checks';
export { inlineMarkdown, plainText } from './plainText';
export { plural } from './plural';
