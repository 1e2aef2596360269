/**
 * Guide → runbook conversion (no `vscode`): `convertGuide(text, { source, convertedAt })`.
 * See docs/convert.md.
 */
export { convertGuide, detectFormat, isRunbook, GuideTooLargeError, MAX_GUIDE_CHARS, type ConvertOptions, type ConvertResult, type ConvertedCheck, type GuideFormat } from './convert';
export type { ConvertedInput } from './inputs';
export { parseCurl, type CurlRequest, type CurlParse } from './curl';
export { runbookNameFor, summarizeConversion } from './summary';
