/**
 * Small syntax helpers over tree-sitter nodes shared by the binding pass, the rules and the fix
 * planner: finding nodes around text occurrences, call arguments, what a statement binds.
 */
import type { Node, TreeCursor } from 'web-tree-sitter';
import type { PythonParser } from './parser';

export const IMPORT_TYPES = ['import_statement', 'import_from_statement', 'future_import_statement'];
export const CALL_TYPES = ['call'];
/**
 * Appends to `out`, in document order, every node of `types` that contains an occurrence of one
 * of `needles` in the text (callers filter again). One tree cursor walks down to each occurrence
 * in turn and back up only as far as the next one needs, so a node object is made only for the
 * nodes of `types` on those paths: most of a large file is never materialised.
 */
export function nodesAround(py: PythonParser, u: { readonly root: Node; readonly text: string }, needles: readonly string[], types: readonly string[], out: Node[], accept?: (text: string, at: number) => boolean): void {
  const root = u.root;
  if (needles.some((k) => !k)) {
    // an empty needle occurs everywhere: every node of these types
    for (const c of py.query.captures(root)) if (types.includes(c.node.type)) out.push(c.node);
    return;
  }
  const pos: number[] = [];
  for (const k of needles) for (let i = u.text.indexOf(k); i >= 0; i = u.text.indexOf(k, i + 1)) if (!accept || accept(u.text, i)) pos.push(i);
  if (!pos.length) return;
  pos.sort((a, b) => a - b);
  if (types.includes(root.type)) out.push(root);
  const cursor = root.walk();
  try {
    walkAround(cursor, pos, 0, pos.length, types, out);
  } finally {
    cursor.delete();
  }
}

/**
 * The cursor's node holds the (sorted) occurrences `pos[lo..hi)`: visits the children that hold
 * some, in order. Only each child's end is read: the occurrences before it that the previous
 * children did not hold are in it (an occurrence is never in the blank between two siblings, and
 * a child taken for one would only yield more nodes for the callers to filter).
 */
function walkAround(cursor: TreeCursor, pos: readonly number[], lo: number, hi: number, types: readonly string[], out: Node[]): void {
  if (!cursor.gotoFirstChild()) return;
  let p = lo;
  do {
    const end = cursor.endIndex;
    const first = p;
    while (p < hi && pos[p]! < end) p++;
    if (p > first) {
      if (types.includes(cursor.nodeType)) out.push(cursor.currentNode);
      walkAround(cursor, pos, first, p, types, out);
    }
  } while (p < hi && cursor.gotoNextSibling());
  cursor.gotoParent();
}

/**
 * Whether a statement can start at `at`: only blanks (or a BOM) lie between it and the start of
 * its line or a `;` before it. A prefilter for `nodesAround` (a necessary condition only).
 */
export function startsStatement(text: string, at: number): boolean {
  for (let i = at - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 59) return true; // \n \r ;
    if (c !== 32 && c !== 9 && c !== 12 && c !== 0xfeff) return false;
  }
  return true;
}

export interface ParsedArgs {
  readonly items: Node[];
  readonly positional: Node[];
  readonly keywords: Map<string, Node>;
  readonly listSplat: boolean;
  readonly dictSplat: boolean;
}

export function parseArgs(args: Node): ParsedArgs {
  const out: ParsedArgs = { items: [], positional: [], keywords: new Map(), listSplat: false, dictSplat: false };
  let listSplat = false;
  let dictSplat = false;
  for (const c of args.namedChildren) {
    if (!c || c.type === 'comment') continue;
    out.items.push(c);
    if (c.type === 'keyword_argument') {
      const name = c.childForFieldName('name')?.text;
      if (name && !out.keywords.has(name)) out.keywords.set(name, c);
    } else if (c.type === 'list_splat') listSplat = true;
    else if (c.type === 'dictionary_splat') dictSplat = true;
    else out.positional.push(c);
  }
  return { ...out, listSplat, dictSplat };
}

export function keywordValue(args: Node | null, name: string): Node | undefined {
  if (!args || args.type !== 'argument_list') return undefined;
  for (const c of args.namedChildren) {
    if (c?.type === 'keyword_argument' && c.childForFieldName('name')?.text === name) return c.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

/** The name an import statement imports under the local name `local` (`Runner as R` → `Runner`). */
export function importedNameOf(imp: Node, local: string): string {
  for (const n of imp.childrenForFieldName('name')) {
    if (n.type === 'aliased_import' && n.childForFieldName('alias')?.text === local) return n.childForFieldName('name')?.text ?? local;
  }
  return local;
}

export function shorten(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 37)}...` : one;
}

export const BINDER_TYPES = ['assignment', 'parameters', 'lambda_parameters', 'import_statement', 'import_from_statement', 'function_definition', 'class_definition', 'for_statement', 'named_expression', 'global_statement'];

/** True when the node binds `name` in its scope (an assignment target, a parameter, an import, a def, a loop target). */
export function binds(n: Node, name: string): boolean {
  const targetHas = (t: Node | null): boolean => {
    if (!t) return false;
    if (t.type === 'identifier') return t.text === name;
    if (t.type === 'pattern_list' || t.type === 'tuple_pattern' || t.type === 'list_pattern' || t.type === 'tuple' || t.type === 'list') return t.namedChildren.some((c) => targetHas(c));
    return false;
  };
  switch (n.type) {
    case 'assignment':
      return targetHas(n.childForFieldName('left'));
    case 'for_statement':
      return targetHas(n.childForFieldName('left'));
    case 'named_expression':
      return n.childForFieldName('name')?.text === name;
    case 'function_definition':
    case 'class_definition':
      return n.childForFieldName('name')?.text === name;
    case 'global_statement':
      return false;
    case 'parameters':
    case 'lambda_parameters':
      return n.namedChildren.some((p) => {
        if (!p) return false;
        if (p.type === 'identifier') return p.text === name;
        const id = p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier') ?? null;
        return id?.type === 'identifier' && id.text === name;
      });
    case 'import_statement':
    case 'import_from_statement':
      return n.childrenForFieldName('name').some((c) => {
        if (c.type === 'aliased_import') return c.childForFieldName('alias')?.text === name;
        return (n.type === 'import_statement' ? c.text.split('.')[0] : c.text) === name;
      });
    default:
      return false;
  }
}

/** The function (or class body, or lambda) whose scope a binding belongs to; null at module level. */
export function scopeOf(n: Node): Node | null {
  if (n.type === 'parameters' || n.type === 'lambda_parameters') return n.parent;
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') return p;
  }
  return null;
}

export function isAncestor(scope: Node, n: Node): boolean {
  for (let p: Node | null = n; p; p = p.parent) if (p.startIndex === scope.startIndex && p.endIndex === scope.endIndex && p.type === scope.type) return true;
  return false;
}

/** A Python string literal for a value (JSON escapes are valid Python escapes). */
export function pyString(value: string): string {
  return JSON.stringify(value);
}
