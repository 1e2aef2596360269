/**
 * Suppression comments (§9), read from comment nodes only: `# engramia: ignore[ENG001]` on a line
 * or the line above, `# engramia: file-ignore[...]` in the leading comment block, and `# noqa:
 * ENG001` when enabled; and the "Disable for this line" edit.
 */
import type { Node } from 'web-tree-sitter';
import type { UnitData } from './context';
import { RULE_IDS, parseRuleId, type RuleId } from './rules';
import type { OffsetEdit } from './text';

export interface Suppressions {
  /** Rules suppressed by comments on a row of a unit; `ownLineOnly` keeps only comments alone on their line. */
  on(unit: number, row: number, ownLineOnly: boolean): (Set<RuleId> | 'all')[];
  readonly file: Set<RuleId> | 'all' | undefined;
}

export interface Directive {
  readonly kind: 'ignore' | 'file-ignore';
  readonly rules: Set<RuleId> | 'all';
}

/** Reads `engramia: ignore[...]` / `engramia: file-ignore[...]` (and `noqa: ENG...` when enabled) from one comment. */
export function parseDirectives(comment: string, noqa = false): Directive[] {
  const out: Directive[] = [];
  for (const raw of comment.split('#')) {
    const seg = raw.trim();
    const lower = seg.toLowerCase();
    if (lower.startsWith('engramia:')) {
      const rest = seg.slice('engramia:'.length).trim();
      const kind = rest.toLowerCase().startsWith('file-ignore') ? 'file-ignore' : rest.toLowerCase().startsWith('ignore') ? 'ignore' : undefined;
      if (!kind) continue;
      const tail = rest.slice(kind.length).trim();
      if (tail.startsWith('[')) {
        const close = tail.indexOf(']');
        const list = tail.slice(1, close < 0 ? undefined : close);
        const rules = new Set<RuleId>();
        for (const p of list.split(',')) {
          const id = parseRuleId(p);
          if (id) rules.add(id);
        }
        out.push({ kind, rules });
      } else out.push({ kind, rules: 'all' });
    } else if (noqa && lower.startsWith('noqa:')) {
      const rules = new Set<RuleId>();
      for (const p of seg.slice(5).split(/[,\s]+/)) {
        const id = parseRuleId(p);
        if (id && RULE_IDS.includes(id)) rules.add(id);
      }
      if (rules.size) out.push({ kind: 'ignore', rules });
    }
  }
  return out;
}

function mergeRules(a: Set<RuleId> | 'all' | undefined, b: Set<RuleId> | 'all'): Set<RuleId> | 'all' {
  if (a === 'all' || b === 'all') return 'all';
  return new Set([...(a ?? []), ...b]);
}

/** The comment nodes on a row: each `#` of the line is checked against the tree (strings are not comments). */
function commentsOnRow(d: UnitData, row: number): Node[] {
  const cached = d.rowComments.get(row);
  if (cached) return cached;
  const out: Node[] = [];
  if (row >= 0 && row < d.lines.lineCount) {
    const line = d.lines.lineText(row);
    const start = d.lines.starts[row]!;
    for (let i = line.indexOf('#'); i >= 0; i = line.indexOf('#', i + 1)) {
      const n = d.tree.rootNode.descendantForIndex(start + i, start + i + 1);
      if (n?.type === 'comment') {
        out.push(n); // a comment runs to the end of the line
        break;
      }
    }
  }
  d.rowComments.set(row, out);
  return out;
}

export function suppressions(data: readonly UnitData[], noqa: boolean): Suppressions {
  let file: Set<RuleId> | 'all' | undefined;
  for (const d of data) {
    // file-ignore: only in the leading comment block (before the first statement, docstring aside)
    const root = d.tree.rootNode;
    for (let i = 0; i < root.namedChildCount; i++) {
      const c = root.namedChild(i);
      if (!c) continue;
      if (c.type === 'comment') {
        for (const dir of parseDirectives(c.text, noqa)) if (dir.kind === 'file-ignore') file = mergeRules(file, dir.rules);
        continue;
      }
      if (c.type === 'expression_statement' && c.firstNamedChild?.type === 'string') continue;
      break;
    }
  }
  return {
    file,
    on(unit, row, ownLineOnly) {
      const d = data[unit]!;
      const out: (Set<RuleId> | 'all')[] = [];
      for (const c of commentsOnRow(d, row)) {
        if (ownLineOnly && d.lines.lineText(row).slice(0, c.startPosition.column).trim() !== '') continue;
        for (const dir of parseDirectives(c.text, noqa)) if (dir.kind === 'ignore') out.push(dir.rules);
      }
      return out;
    },
  };
}

/**
 * The "Disable for this line" edit: extends an existing `# engramia: ignore[...]` on the line,
 * else appends a trailing comment (after any `# noqa`, with its own `#`), else — when the line
 * ends inside a multi-line string or a backslash continuation — an own-line comment above.
 */
export function suppressionEdit(d: UnitData, rule: RuleId, row: number, callRow: number, _sup: Suppressions): OffsetEdit {
  const root = d.tree.rootNode;
  const lineEnd = d.lines.lineEnd(row);
  const existingOn = (r: number) => commentsOnRow(d, r).find((c) => parseDirectives(c.text).some((x) => x.kind === 'ignore' && x.rules !== 'all'));
  const extend = (c: Node): OffsetEdit | undefined => {
    const text = c.text;
    const at = text.toLowerCase().indexOf('engramia:');
    const close = text.indexOf(']', at);
    if (at < 0 || close < 0) return undefined;
    return { start: c.startIndex + close, end: c.startIndex + close, text: `, ${rule}` };
  };
  const trailing = existingOn(row);
  if (trailing) {
    const e = extend(trailing);
    if (e) return e;
  }
  const insideString = (() => {
    if (lineEnd >= d.text.length) return false;
    for (let n: Node | null = root.descendantForIndex(lineEnd); n; n = n.parent) {
      const type = n.type;
      if ((type === 'string' || type === 'string_content') && n.startIndex < lineEnd && n.endIndex > lineEnd) return true;
      // a string holds expressions only: no string lies around a statement or a block
      if (type === 'block' || type === 'module' || type.endsWith('_statement') || type.endsWith('_definition')) return false;
    }
    return false;
  })();
  const lineText = d.lines.lineText(row);
  const continued = lineText.trimEnd().endsWith('\\');
  if (!insideString && !continued) {
    return { start: lineEnd, end: lineEnd, text: `  # engramia: ignore[${rule}]` };
  }
  const aboveRow = Math.min(row, callRow);
  const above = aboveRow > 0 ? existingOn(aboveRow - 1) : undefined;
  if (above && d.lines.lineText(aboveRow - 1).trim().startsWith('#')) {
    const e = extend(above);
    if (e) return e;
  }
  const start = d.lines.starts[aboveRow]!;
  return { start, end: start, text: `${d.lines.indentOf(aboveRow)}# engramia: ignore[${rule}]${d.lines.eol}` };
}

