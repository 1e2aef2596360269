/**
 * Test helper: the checks of a bundled runbook by id, and its input defaults, read straight from
 * the file (fenced blocks with `{id=…}` attributes; indentation of list items removed). Kept
 * independent of src/core/runbook so that the runbooks' bodies are tested exactly as written.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface FencedCheck {
  readonly id: string;
  readonly kind: string;
  readonly attributes: Record<string, string>;
  readonly body: string;
}

export const REPO = path.resolve(__dirname, '../../..');

function parseAttributes(text: string): Record<string, string> {
  const t = text.trim();
  if (!t) return {};
  if (t.startsWith('{') && t.slice(1).trimStart().startsWith('"')) {
    return Object.fromEntries(Object.entries(JSON.parse(t) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  const inner = t.replace(/^\{/, '').replace(/\}$/, '');
  const out: Record<string, string> = {};
  for (const m of inner.matchAll(/([A-Za-z_][\w.-]*)=("([^"]*)"|[^\s}]*)/g)) out[m[1]!] = m[3] ?? m[2]!;
  return out;
}

export function fencedChecks(file: string): Map<string, FencedCheck> {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const checks = new Map<string, FencedCheck>();
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([A-Za-z]\w*)\s*(\{.*\})?\s*$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, marker, kind, attrs] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      if (l.trim().startsWith(marker!) && l.trim().replace(/[`~]/g, '') === '') break;
      body.push(l.startsWith(indent!) ? l.slice(indent!.length) : l.trimStart());
    }
    const attributes = parseAttributes(attrs ?? '');
    if (attributes.id) checks.set(attributes.id, { id: attributes.id, kind: kind!, attributes, body: body.join('\n') });
    i = j;
  }
  return checks;
}

/** Input defaults from the front matter, as strings. */
export function inputDefaults(file: string): Record<string, string> {
  const text = readFileSync(file, 'utf8');
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  const data = (m ? parseYaml(m[1]!) : {}) as { inputs?: { name: string; default?: unknown }[] };
  const out: Record<string, string> = {};
  for (const input of data.inputs ?? []) if (input.default !== undefined) out[input.name] = String(input.default);
  return out;
}
