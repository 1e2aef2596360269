/**
 * Fix planning: a rule's fix is a plan (keyword additions, replacements, imports and statements
 * inserted once per block) made of plain values, so it stays valid after the trees are deleted;
 * plans are rendered into merged text edits on demand (one import edit per site).
 */
import type { Node } from 'web-tree-sitter';
import type { Binding, UnitData } from './context';
import { LineTable, mergeEdits, type OffsetEdit, type TextEdit } from './text';

export interface ArgsLayout {
  readonly unit: number;
  readonly key: string;
  readonly empty: boolean;
  readonly openEnd: number;
  readonly lastEnd: number;
  readonly commaEnd?: number;
  readonly closeOwnLine: boolean;
  readonly lineEndAfterLast: number;
  readonly indent: string;
  readonly eol: string;
}

export type Intent =
  | { readonly kind: 'keyword'; readonly layout: ArgsLayout; readonly text: string }
  | { readonly kind: 'replace'; readonly unit: number; readonly start: number; readonly end: number; readonly text: string };

export interface ImportSite {
  readonly key: string;
  /** The block the site inserts into (`unit:top` or `unit:<lazy import offset>`): preludes go there once. */
  readonly block: string;
  readonly unit: number;
  readonly module: string;
  /** Names already imported from the module where the site is visible. */
  readonly present: ReadonlySet<string>;
  /** Append to an existing `from module import ...`. */
  readonly append?: { readonly at: number; readonly prefix: string; readonly suffix: string };
  /** Or insert a new statement. */
  readonly insert: { readonly at: number; readonly prefix: string; readonly suffix: string };
  /** Indentation of statements inserted at the site ('' at module level). */
  readonly indent: string;
  readonly eol: string;
  /** The line after the insertion point is blank (or there is none). */
  readonly nextBlank: boolean;
}

export interface ImportNeed {
  readonly site: ImportSite;
  readonly name: string;
}

/** Statements inserted once per block after its imports (the hooks class, the memory binding). */
export interface PreludeNeed {
  readonly site: ImportSite;
  /** Order within the block (class before memory) and de-duplication key. */
  readonly order: number;
  /** The statement's lines (unindented). */
  readonly lines: readonly string[];
}

export interface Plan {
  readonly intents: readonly Intent[];
  readonly imports: readonly ImportNeed[];
  readonly preludes?: readonly PreludeNeed[];
}

export function argsLayout(d: UnitData, args: Node): ArgsLayout {
  const kids = args.children.filter((c): c is Node => !!c);
  const items = kids.filter((c) => c.isNamed && c.type !== 'comment');
  const last = items[items.length - 1];
  const close = kids[kids.length - 1]!;
  const open = kids[0]!;
  let comma: Node | undefined;
  if (last) {
    for (let i = kids.indexOf(last) + 1; i < kids.length; i++) {
      if (kids[i]!.type === ',') { comma = kids[i]; break; }
    }
  }
  const lastRowNode = comma ?? last;
  const closeRow = close.startPosition.row;
  const closeOwnLine = !!last && closeRow > (lastRowNode?.endPosition.row ?? 0) && d.lines.lineText(closeRow).slice(0, close.startPosition.column).trim() === '';
  let indent = '';
  if (last) {
    const row = last.startPosition.row;
    const before = d.lines.lineText(row).slice(0, last.startPosition.column);
    indent = before.trim() === '' ? before : d.lines.indentOf(row) + '    ';
  }
  return {
    unit: d.index,
    key: `${d.index}:${args.startIndex}`,
    empty: !last,
    openEnd: open.endIndex,
    lastEnd: last ? last.endIndex : open.endIndex,
    ...(comma ? { commaEnd: comma.endIndex } : {}),
    closeOwnLine,
    lineEndAfterLast: lastRowNode ? d.lines.lineEnd(lastRowNode.endPosition.row) : open.endIndex,
    indent,
    eol: d.lines.eol,
  };
}

function keywordEdits(layout: ArgsLayout, texts: readonly string[]): OffsetEdit[] {
  const u = layout.unit;
  if (layout.empty) return [{ start: layout.openEnd, end: layout.openEnd, text: texts.join(', '), cell: u }];
  if (layout.closeOwnLine) {
    const out: OffsetEdit[] = [];
    if (layout.commaEnd === undefined) out.push({ start: layout.lastEnd, end: layout.lastEnd, text: ',', cell: u });
    out.push({ start: layout.lineEndAfterLast, end: layout.lineEndAfterLast, text: texts.map((t) => `${layout.eol}${layout.indent}${t},`).join(''), cell: u });
    return out;
  }
  if (layout.commaEnd !== undefined) return [{ start: layout.commaEnd, end: layout.commaEnd, text: ` ${texts.join(', ')}`, cell: u }];
  return [{ start: layout.lastEnd, end: layout.lastEnd, text: `, ${texts.join(', ')}`, cell: u }];
}

/** Turns fix plans into merged edits: keyword additions grouped per call, one import edit per site. */
export function renderPlans(plans: readonly Plan[], allLines: readonly LineTable[], notebook: boolean): TextEdit[] {
  const edits: OffsetEdit[] = [];
  const keywordGroups = new Map<string, { layout: ArgsLayout; texts: string[] }>();
  const importGroups = new Map<string, { site: ImportSite; names: Set<string> }>();
  const preludeGroups = new Map<string, PreludeNeed>();
  for (const p of plans) {
    for (const n of p.preludes ?? []) preludeGroups.set(`${n.site.block}:${n.order}`, n);
    for (const i of p.intents) {
      if (i.kind === 'replace') edits.push({ start: i.start, end: i.end, text: i.text, cell: i.unit });
      else {
        const g = keywordGroups.get(i.layout.key) ?? { layout: i.layout, texts: [] };
        if (!g.texts.includes(i.text)) g.texts.push(i.text);
        keywordGroups.set(i.layout.key, g);
      }
    }
    for (const n of p.imports) {
      const g = importGroups.get(n.site.key) ?? { site: n.site, names: new Set<string>() };
      g.names.add(n.name);
      importGroups.set(n.site.key, g);
    }
  }
  for (const g of keywordGroups.values()) edits.push(...keywordEdits(g.layout, g.texts));
  // imports in module order, then the preludes in their order: same-offset insertions merge in this order
  // (appends to an existing statement first: one may end where the new statements are inserted)
  const groups = [...importGroups.values()].sort((a, b) => a.site.module.localeCompare(b.site.module));
  for (const appending of [true, false]) {
    for (const g of groups) {
      const e = importEdit(g.site, g.names);
      if (e && !!g.site.append === appending) edits.push(e);
    }
  }
  const byBlock = new Map<string, PreludeNeed[]>();
  for (const n of preludeGroups.values()) byBlock.set(n.site.block, [...(byBlock.get(n.site.block) ?? []), n]);
  for (const list of byBlock.values()) {
    const site = list[0]!.site;
    edits.push({ start: site.insert.at, end: site.insert.at, text: preludeText(site, list.sort((a, b) => a.order - b.order).map((n) => n.lines)), cell: site.unit });
  }
  return mergeEdits(edits).map((e) => {
    const lines = allLines[e.cell ?? 0]!;
    const t = lines.toTextEdit({ start: e.start, end: e.end, text: e.text });
    return notebook ? { ...t, cell: e.cell ?? 0 } : t;
  });
}

function importEdit(site: ImportSite, names: ReadonlySet<string>): OffsetEdit | undefined {
  const missing = [...names].filter((n) => !site.present.has(n)).sort();
  if (!missing.length) return undefined;
  if (site.append) return { start: site.append.at, end: site.append.at, text: `${site.append.prefix}${missing.join(', ')}${site.append.suffix}`, cell: site.unit };
  return { start: site.insert.at, end: site.insert.at, text: `${site.insert.prefix}from ${site.module} import ${missing.join(', ')}${site.insert.suffix}`, cell: site.unit };
}

/** Statements placed after the imports of a site: at module level with two blank lines around each (PEP 8). */
function preludeText(site: ImportSite, statements: readonly (readonly string[])[]): string {
  const { eol, indent } = site;
  if (indent) return statements.flat().map((l) => `${eol}${indent}${l}`).join('');
  const body = statements.map((lines) => lines.join(eol)).join(`${eol}${eol}${eol}`);
  if (!site.insert.prefix) return `${body}${eol}${eol}${eol}`; // top of a file without imports
  return `${eol}${eol}${eol}${body}${site.nextBlank ? '' : eol + eol}`;
}

/**
 * Where the Engramia import goes (§7.4): beside a lazy `agents` import when the binding came from
 * one (inside a function or try block), else after the last top-level import of the file (or of
 * the anchor's cell), after the docstring, or at the top.
 */
export function importSite(data: readonly UnitData[], sites: Map<string, ImportSite>, unitIndex: number, anchor: Binding | undefined, module: string): ImportSite {
  const lazy = anchor && anchor.node.parent?.type !== 'module' ? anchor : undefined;
  let unit = anchor ? anchor.unit : unitIndex;
  if (!anchor) {
    // a notebook: the first cell with a top-level import, else the finding's cell
    const withImport = data.find((d) => d.imports.some((imp) => imp.parent?.type === 'module'));
    if (withImport && data.length > 1) unit = withImport.index;
  }
  const block = `${unit}:${lazy ? lazy.node.startIndex : 'top'}`;
  const key = `${block}:${module}`;
  const cached = sites.get(key);
  if (cached) return cached;
  const d = data[unit]!;
  const root = d.tree.rootNode;
  const eol = d.lines.eol;
  // names already imported from the module, and an existing statement to append to
  const blockNode = lazy ? lazy.node.parent! : root;
  const present = new Set<string>();
  let existing: Node | undefined;
  for (const dd of data) {
    for (const imp of dd.imports) {
      if (imp.type !== 'import_from_statement' || imp.childForFieldName('module_name')?.text !== module) continue;
      const visible = imp.parent?.type === 'module' || (dd.index === unit && imp.parent?.equals(blockNode));
      if (!visible) continue;
      for (const n of imp.childrenForFieldName('name')) {
        const local = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text;
        const imported = n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text;
        if (local && local === imported) present.add(local);
      }
      if (dd.index === unit && imp.parent?.equals(blockNode) && !existing) existing = imp;
    }
  }
  let append: ImportSite['append'];
  if (existing) {
    const names = existing.childrenForFieldName('name');
    const lastName = names[names.length - 1];
    if (lastName) {
      const kids = existing.children.filter((c): c is Node => !!c);
      // nodes are fresh objects per call: find the last name by position, not identity
      const after = kids.filter((c) => c.startIndex >= lastName.endIndex);
      const comma = after.find((c) => c.type === ',');
      const close = after.find((c) => c.type === ')');
      if (comma && close && close.startPosition.row > comma.endPosition.row) {
        const indent = d.lines.indentOf(lastName.startPosition.row);
        append = { at: d.lines.lineEnd(comma.endPosition.row), prefix: `${eol}${indent}`, suffix: ',' };
      } else if (comma) append = { at: comma.endIndex, prefix: ' ', suffix: '' };
      else append = { at: lastName.endIndex, prefix: ', ', suffix: '' };
    }
  }
  let insert: ImportSite['insert'];
  const indent = lazy ? d.lines.indentOf(lazy.node.startPosition.row) : '';
  if (lazy) {
    const row = lazy.node.endPosition.row;
    insert = { at: d.lines.lineEnd(row), prefix: `${eol}${d.lines.indentOf(lazy.node.startPosition.row)}`, suffix: '' };
  } else {
    const imports = d.imports.filter((imp) => imp.parent?.type === 'module');
    const lastImport = imports[imports.length - 1];
    if (lastImport) insert = { at: d.lines.lineEnd(lastImport.endPosition.row), prefix: eol, suffix: '' };
    else {
      let first: Node | undefined;
      const leadingComments: Node[] = [];
      for (let i = 0; i < root.namedChildCount; i++) {
        const c = root.namedChild(i);
        if (!c) continue;
        if (c.type !== 'comment') {
          first = c;
          break;
        }
        leadingComments.push(c);
      }
      const docstring = first && first.type === 'expression_statement' && first.firstNamedChild?.type === 'string' ? first : undefined;
      const after = docstring ?? leadingComments[leadingComments.length - 1];
      insert = after ? { at: d.lines.lineEnd(after.endPosition.row), prefix: eol, suffix: '' } : { at: 0, prefix: '', suffix: eol };
    }
  }
  const nextRow = d.lines.positionAt(insert.at).line + 1;
  const nextBlank = nextRow >= d.lines.lineCount || d.lines.lineText(nextRow).trim() === '';
  const site: ImportSite = { key, block, unit, module, present, ...(append ? { append } : {}), insert, indent, eol, nextBlank };
  sites.set(key, site);
  return site;
}

