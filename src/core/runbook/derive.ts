/**
 * Derived information (roles, tasks, checks, sections, front matter) computed from cells, whether
 * fresh from the parser or live in an edited notebook. `parseRunbook` is built on this, so both
 * agree. A markup cell keeps its parse-time role while its value is unchanged; an edited or added
 * cell's role is read from its text (heading, task item, else prose).
 */
import { parseFrontMatter } from './frontMatter';
import { parseInfoString, type AttributeStyle } from './infoString';
import { sourceShows } from './lines';
import type { CellLike, CellRole, CheckRef, DerivedCell, DerivedRunbook, FrontMatter, Section, TaskInfo } from './model';
import { headingOf, slug, taskOf } from './text';

/** Info-string words treated as checks when the caller gives no registry. */
export const DEFAULT_CHECK_KINDS: readonly string[] = ['http', 'engramia', 'shell', 'sh', 'bash', 'python', 'py', 'manual', 'confirm', 'analyze'];

export interface DeriveOptions {
  /** True when an info-string word names a check kind (e.g. `(w) => !!registry.resolve(w)`). */
  readonly isCheckKind?: (word: string) => boolean;
}

const defaultIsCheckKind = (word: string) => DEFAULT_CHECK_KINDS.includes(word.toLowerCase());

export function normaliseEol(value: string): string {
  return value.indexOf('\r') < 0 ? value : value.replace(/\r\n?/g, '\n');
}

function inferMarkupRole(value: string): CellRole {
  if (headingOf(value)) return 'section';
  if (taskOf(value)) return 'task';
  return 'prose';
}

export function deriveRunbook(cells: readonly CellLike[], options: DeriveOptions = {}): DerivedRunbook {
  return deriveCells(cells, options, false);
}

/** A parsed cell that deriveCells completes in place (role, task, check). */
export interface CellToComplete {
  role: CellRole;
  task?: TaskInfo;
  check?: CheckRef;
}

/**
 * @internal `fresh`: every cell's value is known to equal its source's value (straight from the
 * parser). `complete`: the parser's own cells (the same as `cells`), given their role, task and
 * check directly; the result's `cells` is then empty (no second object per cell), and the front
 * matter is left to the caller (the parser reads it when it is asked for).
 */
export function deriveCells(cells: readonly CellLike[], options: DeriveOptions, fresh: boolean, complete?: CellToComplete[]): DerivedRunbook {
  const isCheckKind = options.isCheckKind ?? defaultIsCheckKind;
  const n = cells.length;
  const roles: CellRole[] = new Array(n);
  const tasks: (TaskInfo | undefined)[] = new Array(n);
  const values: string[] = new Array(n);

  for (let i = 0; i < n; i++) {
    const cell = cells[i];
    const value = fresh ? cell.value : normaliseEol(cell.value);
    values[i] = value;
    const parsedRole = cell.source?.role ?? cell.role;
    if (cell.kind === 'code') {
      roles[i] = parsedRole === 'frontMatter' && i === 0 ? 'frontMatter' : 'fence';
      continue;
    }
    if (parsedRole === 'error') {
      roles[i] = 'error';
      continue;
    }
    const unchanged = !!cell.source && (fresh || sourceShows(cell.source, value));
    let role: CellRole = unchanged && parsedRole && parsedRole !== 'fence' && parsedRole !== 'frontMatter' ? parsedRole : inferMarkupRole(value);
    if (role === 'task') {
      tasks[i] = taskOf(value);
      if (!tasks[i]) role = 'prose';
    }
    roles[i] = role;
  }

  const slugs = new Map<string, string>();
  const slugOf = (t: string): string => {
    let v = slugs.get(t);
    if (v === undefined) {
      v = slug(t);
      slugs.set(t, v);
    }
    return v;
  };
  // Sections and heading paths.
  const sections: { id: string; title: string; level: number; cell: number; endCell: number; path: string[] }[] = [];
  const headingPaths: (readonly string[])[] = new Array(n);
  const prefixes: string[] = new Array(n);
  const stack: { level: number; title: string }[] = [];
  let path: readonly string[] = [];
  let prefix = '';
  const sectionIds = new Ids();
  for (let i = 0; i < n; i++) {
    if (roles[i] === 'section') {
      const h = headingOf(values[i]) ?? { level: 1, title: values[i].split('\n')[0].replace(/^#+\s*/, '').trim() };
      while (stack.length && stack[stack.length - 1].level >= h.level) stack.pop();
      stack.push({ level: h.level, title: h.title });
      path = stack.map((s) => s.title);
      prefix = path.map((p) => slugOf(p) || 'section').join('/');
      sections.push({ id: sectionIds.unique(prefix), title: h.title, level: h.level, cell: i, endCell: n, path: [...path] });
    }
    headingPaths[i] = path;
    prefixes[i] = prefix;
  }
  for (let k = 0; k < sections.length; k++) {
    for (let m = k + 1; m < sections.length; m++) {
      if (sections[m].level <= sections[k].level) {
        sections[k].endCell = sections[m].cell;
        break;
      }
    }
  }

  // Checks.
  const checks: (CheckRef | undefined)[] = new Array(n);
  const taskCells: (number | null)[] = new Array(n).fill(null);
  const explicit = new Set<string>();
  const infos: ({ attributes: Record<string, string>; style: AttributeStyle; error?: string; kind: string } | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (roles[i] !== 'fence') continue;
    const cell = cells[i];
    const parsed = cell.source?.fence ? parseInfoString(cell.source.fence.info) : undefined;
    const kind = (cell.language || parsed?.kind || '').toLowerCase();
    if (!kind || !isCheckKind(kind)) continue;
    const attributes = cell.attributes ? { ...cell.attributes } : parsed?.attributes ?? {};
    const error = cell.attributes ? undefined : parsed?.error;
    infos[i] = { attributes, style: parsed?.style ?? 'keyValue', error, kind };
    if (attributes.id) explicit.add(attributes.id);
  }
  const used = new Ids(explicit);
  const seenExplicit = new Set<string>();
  const perSection = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const info = infos[i];
    if (!info) continue;
    const taskCell = findTaskCell(cells, roles, values, taskCells, i);
    taskCells[i] = taskCell;
    const headingPath = headingPaths[i];
    const sectionKey = prefixes[i];
    const ordinal = (perSection.get(sectionKey) ?? 0) + 1;
    perSection.set(sectionKey, ordinal);
    const label = taskCell !== null ? tasks[taskCell]?.label : info.attributes.title;
    let id: string;
    let error = info.error;
    const explicitId = !!info.attributes.id;
    if (explicitId) {
      id = info.attributes.id;
      if (seenExplicit.has(id)) error ??= `duplicate id "${id}": another check above uses it; give each check its own id`;
      seenExplicit.add(id);
    } else {
      const prefix = prefixes[i];
      const leaf = (taskCell !== null ? slugOf(label ?? '') : '') || `check-${ordinal}`;
      id = used.unique(prefix ? `${prefix}/${leaf}` : leaf);
    }
    const ref: { -readonly [K in keyof CheckRef]: CheckRef[K] } = { id, explicitId, kind: info.kind, attributes: info.attributes, attributeStyle: info.style, taskCell, headingPath };
    if (label !== undefined) ref.label = label;
    if (error !== undefined) ref.error = error;
    checks[i] = ref;
  }

  let frontMatter: FrontMatter | undefined;
  if (n > 0 && roles[0] === 'frontMatter' && !complete) frontMatter = parseFrontMatter(values[0]);

  const rest = { sections: sections as Section[], ...(frontMatter ? { frontMatter } : {}) };
  if (complete) {
    for (let i = 0; i < n; i++) {
      const c = complete[i]!;
      c.role = roles[i]!;
      if (tasks[i]) c.task = tasks[i];
      if (checks[i]) c.check = checks[i];
    }
    return { cells: [], ...rest };
  }
  const derived: DerivedCell[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const d: { -readonly [K in keyof DerivedCell]: DerivedCell[K] } = { role: roles[i], headingPath: headingPaths[i] };
    if (tasks[i]) d.task = tasks[i];
    if (checks[i]) d.check = checks[i];
    derived[i] = d;
  }
  return { cells: derived, ...rest };
}

/** Ids taken so far; `unique` gives `base`, else `base-2`, `base-3`, … (the first free one). */
class Ids {
  readonly used: Set<string>;
  /** Per base, the suffix to try next: every lower one is taken (ids are never freed). */
  private readonly next = new Map<string, number>();
  /** `used`: the ids taken already; the set is kept and added to (not copied). */
  constructor(used: Set<string> = new Set()) {
    this.used = used;
  }
  unique(base: string): string {
    let id = base;
    let k = this.next.get(base) ?? 2;
    if (this.used.has(id)) {
      // Linear overall: a thousand checks under the same label do not rescan base-2 … base-999.
      do id = `${base}-${k++}`;
      while (this.used.has(id));
      this.next.set(base, k);
    }
    this.used.add(id);
    return id;
  }
}

/** Column where a cell's first line starts (its indentation), for list containment. */
function cellColumn(cell: CellLike, value: string): number {
  return leadColumn(value, leadColumn(cell.source?.indent ?? '', 0, true), false);
}

/**
 * The column after `text`'s leading spaces and tabs (after a BOM when `bom`), starting at column
 * `col`; tabs go to the next multiple of 4. What columnWidth(leadingWhitespace(…)) gives, without
 * building strings.
 */
function leadColumn(text: string, col: number, bom: boolean): number {
  for (let k = bom && text.charCodeAt(0) === 0xfeff ? 1 : 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 32) col++;
    else if (c === 9) col += 4 - (col % 4);
    else break;
  }
  return col;
}

/**
 * The task item that contains fence cell `i`: walking back, the nearest task whose marker sits
 * left of the fence, unless a heading or less indented text ends the item first. A fence the user
 * added belongs to the task right before it (or to the task of another added fence right before it).
 */
function findTaskCell(cells: readonly CellLike[], roles: readonly CellRole[], values: readonly string[], taskCells: readonly (number | null)[], i: number): number | null {
  const cell = cells[i];
  if (!cell.source?.fence) {
    const prev = i - 1;
    if (prev < 0) return null;
    if (roles[prev] === 'task') return prev;
    if (roles[prev] === 'fence' && !cells[prev].source) return taskCells[prev] ?? null;
    return null;
  }
  if (cell.source.fence.inTask === false) return null;
  let bound = leadColumn(cell.source.fence.openLine, 0, true);
  for (let j = i - 1; j >= 0 && bound > 0; j--) {
    const r = roles[j];
    if (r === 'section' || r === 'frontMatter' || r === 'error') return null;
    if (r === 'fence') continue;
    const w = cellColumn(cells[j], values[j]);
    if (r === 'task' && w < bound) return j;
    if (w < bound) bound = w;
  }
  return null;
}

export interface SectionProgress {
  readonly section: Section;
  readonly done: number;
  readonly total: number;
}

/** Per section (nested sections included), how many task items are done out of how many. */
export function sectionProgress(derived: DerivedRunbook, isDone?: (cellIndex: number) => boolean): SectionProgress[] {
  const done = isDone ?? ((i: number) => !!derived.cells[i]?.task?.checked);
  return derived.sections.map((section) => {
    let d = 0;
    let t = 0;
    for (let i = section.cell; i < section.endCell; i++) {
      if (derived.cells[i]?.role !== 'task') continue;
      t++;
      if (done(i)) d++;
    }
    return { section, done: d, total: t };
  });
}
