/**
 * parseRunbook: a runbook file (text or bytes) → cells that tile it exactly, with roles, tasks,
 * checks, sections and front matter. Never throws: a file that cannot be read as a runbook becomes
 * one error cell, and the original bytes are kept to be written back unchanged.
 */
import { deriveCells, type DeriveOptions } from './derive';
import { infoKind } from './infoString';
import { commonIndentIn, dominantEol, isBlank, leadingWhitespace, valueOfRaw, VALUE } from './lines';
import { parseFrontMatter } from './frontMatter';
import type { CellSource, FenceFrame, FrontMatter, ParseFailure, RunbookCell, RunbookDocument } from './model';
import { closesFence, fenceParts, splitSpans } from './split';

export type ParseOptions = DeriveOptions;

export function parseRunbook(input: string | Uint8Array, options: ParseOptions = {}): RunbookDocument {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      return failed('the file is not valid UTF-8 text', input);
    }
  }
  if (text.indexOf('\u0000') >= 0) return failed('the file contains NUL bytes, so it looks like a binary file', input);
  try {
    return parseText(text, options);
  } catch (err) {
    return failed(`the parser stopped: ${err instanceof Error ? err.message : String(err)}`, input);
  }
}

/** The error cell's text for a failure message (the serializer compares against it). */
export function failureCellValue(message: string): string {
  return [
    `**This file could not be opened as a runbook:** ${message}.`,
    '',
    'The file is left unchanged on disk. Open it in the text editor (“Reopen Editor With…” → “Text Editor”) to look at it or fix it; editing this cell instead replaces the whole file with the cell’s text when you save.',
  ].join('\n');
}

function failed(message: string, input: string | Uint8Array): RunbookDocument {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const failure: ParseFailure = { message, originalBase64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  const cell: RunbookCell = { kind: 'markup', role: 'error', value: failureCellValue(message), language: 'markdown', lines: { start: 0, end: 0 } };
  return { cells: [cell], sections: [], eol: '\n', failure };
}

function parseText(text: string, options: ParseOptions): RunbookDocument {
  const { spans, starts, cr } = splitSpans(text);
  const cells: RunbookCell[] = [];
  for (const span of spans) {
    const raw = text.slice(starts[span.start], starts[span.end]);
    let source: CellSource;
    let language = 'markdown';
    let kind: 'markup' | 'code' = 'markup';
    if (span.role === 'fence' || span.role === 'frontMatter') {
      kind = 'code';
      const { fence, indent } = frameOf(text, starts, span.start, span.end, span.role === 'frontMatter', !!span.inTask);
      const value = valueOfRaw(raw, indent, fence);
      // The memo goes into the literal: one object shape, no property added later.
      source = { role: span.role, raw, indent, fence, [VALUE]: value } as CellSource;
      language = span.role === 'frontMatter' ? 'yaml' : infoKind(fence.info) || 'text';
      cells.push({ kind, role: span.role, value, language, lines: { start: span.start, end: span.end }, source });
    } else {
      const indent = commonIndentIn(text, starts[span.start], starts[span.end]);
      const value = valueOfRaw(raw, indent);
      source = { role: span.role, raw, indent, [VALUE]: value } as CellSource;
      cells.push({ kind, role: span.role, value, language, lines: { start: span.start, end: span.end }, source });
    }
  }
  const out = cells as { -readonly [K in keyof RunbookCell]: RunbookCell[K] }[];
  const derived = deriveCells(cells, options, true, out);
  // (Properties in the order the document has always had: cells, sections, frontMatter, eol, bom.)
  const doc = { cells: out, sections: derived.sections } as { -readonly [K in keyof RunbookDocument]: RunbookDocument[K] };
  if (out.length > 0 && out[0].role === 'frontMatter') {
    // The front matter's YAML is parsed when it is first asked for (opening a notebook never asks).
    const yaml = out[0].value;
    let frontMatter: FrontMatter | undefined;
    Object.defineProperty(doc, 'frontMatter', { enumerable: true, configurable: true, get: () => (frontMatter ??= parseFrontMatter(yaml)) });
  }
  doc.eol = cr ? dominantEol(text) : '\n';
  if (text.charCodeAt(0) === 0xfeff) doc.bom = true;
  return doc;
}

function textOf(text: string, starts: number[], i: number): string {
  let end = starts[i + 1];
  if (text.charCodeAt(end - 1) === 10) end--;
  if (end > starts[i] && text.charCodeAt(end - 1) === 13) end--;
  return text.slice(starts[i], end);
}

function frameOf(text: string, starts: number[], start: number, end: number, frontMatter: boolean, inTask: boolean): { fence: FenceFrame; indent: string } {
  const openLine = textOf(text, starts, start);
  // Last non-blank line of the span: the closing line when it closes the fence.
  let last = end - 1;
  while (last > start && isBlank(textOf(text, starts, last))) last--;
  const lastText = last > start ? textOf(text, starts, last) : null;
  const parts = fenceParts(openLine);
  const indent = parts.indent.charCodeAt(0) === 0xfeff ? parts.indent.slice(1) : parts.indent;
  if (frontMatter) {
    return { fence: { openLine, closeLine: lastText, marker: '---', info: '' }, indent };
  }
  const closeLine = lastText !== null && closesFence(lastText, parts.marker) && leadingWhitespace(lastText).length <= leadingWhitespace(openLine).length + 3 ? lastText : null;
  return { fence: { openLine, closeLine, marker: parts.marker, info: parts.info, inTask }, indent };
}
