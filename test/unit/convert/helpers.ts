/** Shared helpers for the conversion tests: the fixtures, a fixed clock, and validation with the real registry. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { convertGuide, type ConvertResult } from '../../../src/core/convert';
import { defaultRegistry } from '../../../src/core/kinds';
import { listChecks, parseRunbook, type RunbookDocument } from '../../../src/core/runbook';

export const FIXTURES = resolve(__dirname, '..', '..', 'fixtures', 'convert');
export const NOW = '2026-12-01T10:00:00Z';

/** The guides (every fixture that is not a golden output). */
export function guides(): string[] {
  return readdirSync(FIXTURES).filter((f) => !f.endsWith('.runbook.md')).sort();
}

export function goldenName(guide: string): string {
  return guide.replace(/\.[^.]+$/, '') + '.runbook.md';
}

export function convertFixture(guide: string): ConvertResult {
  const text = readFileSync(join(FIXTURES, guide), 'utf8');
  return convertGuide(text, { source: guide, convertedAt: NOW, fileName: guide });
}

/** Every check error the product would show: attribute validation and the kind's own body validation. */
export function checkErrors(doc: RunbookDocument): string[] {
  const registry = defaultRegistry();
  const errors: string[] = [];
  if (doc.failure) errors.push(`failure: ${doc.failure.message}`);
  if (doc.frontMatter?.error) errors.push(doc.frontMatter.error);
  for (const c of listChecks(doc)) {
    if (c.error) errors.push(`${c.id}: ${c.error}`);
    const kind = registry.resolve(c.kind);
    if (!kind) {
      errors.push(`${c.id}: unknown kind ${c.kind}`);
      continue;
    }
    const v = registry.validate(kind, c.attributes);
    if (!v.ok) {
      errors.push(`${c.id}: ${v.error}`);
      continue;
    }
    const e = kind.validate?.(c.body, v.value.specific);
    if (e) errors.push(`${c.id}: ${e}`);
  }
  return errors;
}

export function parse(text: string): RunbookDocument {
  return parseRunbook(text);
}
