/**
 * The one binding-resolution pass every rule reads: the imports of a file (or of all cells of a
 * notebook) and what they bind (Runner, Agent, RunHooks, Memory, the agents and engramia modules,
 * aliases), the agents and memories assigned from them, static instruction constants, the hooks
 * classes of the file and the workspace, suppression comments, and the call sites the rules match
 * on, each classified once (a run, a clone, an Agent(...) ...). Rules query this context; they
 * never walk the tree themselves. Every decision is made on syntax nodes, never on raw text.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { AnalyzeOptions, HooksClassInfo, Unit } from './analyze';
import { DEFAULT_MEMORY_VARIABLE, DEFAULT_STORAGE_PATH, ENGRAMIA_PROVIDERS_MODULE, ENGRAMIA_SDK_MODULE, HOOKS_CLASS_NAME } from './names';
import { argsLayout, importSite, type ArgsLayout, type ImportNeed, type ImportSite, type Plan, type PreludeNeed } from './fixes';
import type { PythonParser } from './parser';
import type { RawFinding } from './result';
import { DEFAULT_RULES, type RuleId } from './rules';
import { suppressionEdit, suppressions } from './suppress';
import { BINDER_TYPES, CALL_TYPES, IMPORT_TYPES, binds, startsStatement, importedNameOf, isAncestor, keywordValue, nodesAround, parseArgs, pyString, scopeOf, type ParsedArgs } from './syntax';
import { LineTable } from './text';


export const RUN_METHODS = new Set(['run', 'run_sync', 'run_streamed']);
type AgentsName = 'runner' | 'agent' | 'runhooks';
const AGENTS_MODULE_NAMES: Readonly<Record<string, Readonly<Record<string, AgentsName>>>> = {
  agents: { Runner: 'runner', Agent: 'agent', SandboxAgent: 'agent', RunHooks: 'runhooks', RunHooksBase: 'runhooks' },
  'agents.lifecycle': { RunHooks: 'runhooks', RunHooksBase: 'runhooks' },
  'agents.run': { Runner: 'runner' },
  'agents.agent': { Agent: 'agent' },
  'agents.sandbox': { SandboxAgent: 'agent' },
};
const MEMORY_MODULES = new Set(['engramia', 'engramia.memory']);
const STATIC_HELPERS = new Set(['prompt_with_handoff_instructions', 'dedent']);
/** What the binding pass's walk over each unit collects: calls, the assignments around them, class definitions. */
const WALK_TYPES = ['call', 'assignment', 'class_definition'];

export interface Binding {
  readonly unit: number;
  /** The import statement that bound the name (anchor for the Engramia import). */
  readonly node: Node;
}

export class Bindings {
  readonly runner = new Map<string, Binding>();
  readonly agent = new Map<string, Binding>();
  readonly agentsModule = new Map<string, Binding>();
  /** Local names of the SDK's `RunHooks` / `RunHooksBase`. */
  readonly runHooks = new Map<string, Binding>();
  /** Local names of Engramia's `EngramiaRunHooks`. */
  readonly engramiaHooks = new Set<string>();
  /** Every `from M import N [as L]`: L → (M, N) (resolves hooks classes imported from the workspace). */
  readonly fromImports = new Map<string, { readonly module: string; readonly name: string }>();
  readonly memoryCtor = new Set<string>();
  readonly engramiaModule = new Set<string>();
  readonly instructionsFn = new Set<string>(['engramia_instructions']);
  readonly other = new Set<string>();

  addImport(unit: number, node: Node): void {
    if (node.type === 'future_import_statement') return;
    if (node.type === 'import_statement') {
      for (const n of node.childrenForFieldName('name')) {
        const dotted = n.type === 'aliased_import' ? n.childForFieldName('name') : n;
        const alias = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : dotted?.firstNamedChild?.text;
        const module = dotted?.text ?? '';
        if (!alias) continue;
        const root = module.split('.')[0];
        const bound = n.type === 'aliased_import' ? module : root;
        if (bound === 'agents') this.agentsModule.set(alias, { unit, node });
        else if (bound === 'engramia') this.engramiaModule.add(alias);
        else this.other.add(alias);
      }
      return;
    }
    const module = node.childForFieldName('module_name')?.text ?? '';
    const known = AGENTS_MODULE_NAMES[module];
    const isWildcard = node.namedChildren.some((c) => c?.type === 'wildcard_import');
    if (isWildcard) {
      if (module === 'agents') for (const [name, kind] of Object.entries(known!)) this.byKind(kind).set(name, { unit, node });
      return;
    }
    for (const n of node.childrenForFieldName('name')) {
      const imported = (n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text) ?? '';
      const local = (n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text) ?? '';
      if (!local) continue;
      this.fromImports.set(local, { module, name: imported });
      const kind = known?.[imported];
      if (kind) this.byKind(kind).set(local, { unit, node });
      else if (MEMORY_MODULES.has(module) && imported === 'Memory') this.memoryCtor.add(local);
      else if (module === ENGRAMIA_SDK_MODULE && imported === 'engramia_instructions') this.instructionsFn.add(local);
      else if (module === ENGRAMIA_SDK_MODULE && imported === 'EngramiaRunHooks') this.engramiaHooks.add(local);
      else if (module !== ENGRAMIA_SDK_MODULE) this.other.add(local);
    }
  }

  private byKind(kind: AgentsName): Map<string, Binding> {
    return kind === 'runner' ? this.runner : kind === 'agent' ? this.agent : this.runHooks;
  }

  /** A name also bound by some other import (e.g. crewai's Agent) is never trusted. */
  finish(): void {
    for (const name of this.other) {
      this.runner.delete(name);
      this.agent.delete(name);
      this.runHooks.delete(name);
      this.engramiaHooks.delete(name);
      this.agentsModule.delete(name);
      this.memoryCtor.delete(name);
    }
  }
}

export interface UnitData {
  readonly index: number;
  readonly text: string;
  readonly tree: Tree;
  readonly lines: LineTable;
  readonly imports: Node[];
  /** Comment nodes by row, looked up lazily (only rows of findings are ever read). */
  readonly rowComments: Map<number, Node[]>;
  readonly calls: Node[];
  /** The tree's root node, one object for every search (it caches its children). */
  readonly root: Node;
}


function collect(py: PythonParser, index: number, u: Unit): UnitData {
  const root = u.tree.rootNode;
  const d: UnitData = { index, text: u.text, tree: u.tree, lines: new LineTable(u.text), imports: [], rowComments: new Map(), calls: [], root };
  // every import statement spells the keyword `import` inside its own range
  nodesAround(py, d, ['import'], IMPORT_TYPES, d.imports);
  return d;
}

function runnerAnchor(recv: Node, b: Bindings): Binding | undefined {
  let n: Node | null = recv;
  if (n.type === 'call') n = n.childForFieldName('function');
  if (n?.type === 'identifier') return b.runner.get(n.text);
  if (n?.type === 'attribute') return b.agentsModule.get(n.childForFieldName('object')?.text ?? '');
  return undefined;
}

function ctorAnchor(f: Node, b: Bindings): Binding | undefined {
  let n: Node | null = f;
  if (n.type === 'subscript') n = n.childForFieldName('value');
  if (n?.type === 'identifier') return b.agent.get(n.text);
  if (n?.type === 'attribute') return b.agentsModule.get(n.childForFieldName('object')?.text ?? '');
  return undefined;
}

function agentAnchorOf(recv: Node, b: Bindings, assigns: readonly { lhs: string; call: Node }[], isAgentCtor: (n: Node | null) => boolean): Binding | undefined {
  const seen = new Set<string>();
  let name = recv.text;
  while (!seen.has(name)) {
    seen.add(name);
    const a = assigns.find((x) => x.lhs === name);
    if (!a) return undefined;
    const f = a.call.childForFieldName('function');
    if (isAgentCtor(f)) return ctorAnchor(f!, b);
    if (f?.type === 'attribute') name = f.childForFieldName('object')?.text ?? '';
    else return undefined;
  }
  return undefined;
}


// ---------------------------------------------------------------------------------------------
// Hooks classes and name binding (for the hooks and memory the fixes insert)

/** A workspace hooks class by import: `from pkg.hooks import H` (or a relative `from .hooks import H`). */
function findWorkspaceClass(classes: readonly HooksClassInfo[], module: string, name: string): HooksClassInfo | undefined {
  // `from .hooks import H` and `src/`-style layouts: a dotted suffix of the file's module path matches
  const rel = module.replace(/^\.+/, '');
  return classes.find((c) => c.name === name && rel !== '' && (c.module === rel || c.module.endsWith(`.${rel}`)));
}

/** What a `hooks=` value is, as far as the workspace shows. */
export type HooksState =
  | { readonly kind: 'ok' }
  /** `EngramiaRunHooks(...)` itself: the Runner raises TypeError; fixable by swapping the class. */
  | { readonly kind: 'plain'; readonly callee: Node; readonly unit: number }
  /** A known class the Runner rejects (not a RunHooks). */
  | { readonly kind: 'rejected'; readonly name: string }
  /** A RunHooks that does not wire Engramia. */
  | { readonly kind: 'not-engramia'; readonly name: string }
  | { readonly kind: 'unknown' };

interface SiteBase {
  readonly unit: UnitData;
  readonly call: Node;
  /** The callee: `Runner.run`, `Agent`, `agent.clone`, `Memory`... */
  readonly callee: Node;
  readonly argsNode: Node;
  readonly args: ParsedArgs;
  /** The argument list's layout, for keyword insertions (computed on first use). */
  layout(): ArgsLayout;
}

/**
 * A call the rules match on, classified once by the binding pass; its kind decides which rules
 * look at it (a call has one kind: a `Runner(hooks=...)` is not also checked as anything else).
 */
export type CallSite =
  /** `Runner(..., hooks=...)`. */
  | (SiteBase & { readonly kind: 'runner-init'; readonly hooks: Node })
  /** `Runner.run / run_sync / run_streamed(...)` on the class, `Runner()` or an instance. */
  | (SiteBase & { readonly kind: 'run'; readonly method: string; readonly hooksValue: Node | undefined; anchor(): Binding | undefined; hooksState(): HooksState })
  /** `<known agent>.as_tool(...)`. */
  | (SiteBase & { readonly kind: 'as_tool'; readonly hooksValue: Node | undefined; anchor(): Binding | undefined; hooksState(): HooksState })
  /** `Agent(...)` (any SDK agent class). */
  | (SiteBase & { readonly kind: 'agent'; anchor(): Binding | undefined })
  /** `<known agent>.clone(...)`. */
  | (SiteBase & { readonly kind: 'clone'; anchor(): Binding | undefined })
  /** `<memory>.learn(...)`. */
  | (SiteBase & { readonly kind: 'learn' })
  /** `Memory()` with no arguments. */
  | (SiteBase & { readonly kind: 'memory' });

export type SiteOf<K extends CallSite['kind']> = Extract<CallSite, { kind: K }>;

/** One finding as a rule reports it. */
export interface Report {
  readonly unit: UnitData;
  readonly rule: RuleId;
  readonly message: string;
  /** The finding's range: a node or offsets. */
  readonly range: Node | { readonly start: number; readonly end: number };
  /** The call (or statement) the finding belongs to: its row is where suppression comments are read. */
  readonly call: Node;
  /**
   * The fix and its title (a finding without both has no automatic fix). A function is called
   * only when fixes are planned (not in a workspace scan, which needs only the diagnostics).
   */
  readonly plan?: Plan | (() => Plan) | undefined;
  readonly fixTitle?: string | undefined;
  /** More rows whose `# engramia: ignore[...]` suppress the finding. */
  readonly extraRows?: readonly number[];
}

/** The context: every rule reads it; none walks the tree on its own. */
export interface AnalysisContext {
  readonly options: AnalyzeOptions;
  readonly enabled: ReadonlySet<RuleId>;
  readonly units: readonly UnitData[];
  readonly bindings: Bindings;
  /** Some name of the SDK or of engramia is imported: without one no rule can match. */
  readonly hasAny: boolean;
  /** The memory variable the fixes use: the module-level `X = Memory(...)`, else the configured name. */
  readonly mem: string;
  readonly storagePath: string;
  /** Names assigned an agent (`a = Agent(...)`, `b = a.clone(...)`). */
  readonly knownAgents: ReadonlySet<string>;
  /** Agents whose instructions come from `engramia_instructions(...)`. */
  readonly engramiaAgents: ReadonlySet<string>;
  /** Agents whose instructions are a static string. */
  readonly staticAgents: ReadonlySet<string>;
  /** Names (or `self.x` texts) holding a Memory. */
  readonly memoryNames: ReadonlySet<string>;
  /** The classified calls, in document order (cell by cell). */
  readonly sites: readonly CallSite[];
  isRunnerClass(n: Node | null): boolean;
  isRunnerRef(n: Node | null): boolean;
  isAgentCtor(n: Node | null): boolean;
  isInstructionsCall(n: Node | null): boolean;
  /** A static string expression (literal, constant, concatenation, `.format`, `dedent`...). */
  isStatic(n: Node | null): boolean;
  /** Nodes of `types` around the text occurrences of `needles` in a unit (callers filter again). */
  find(unit: UnitData, needles: readonly string[], types: readonly string[]): Node[];
  /** Where an import of `module` goes for a fix in `unit` (beside the anchor's import when it is lazy). */
  importSite(unit: number, anchor: Binding | undefined, module: string): ImportSite;
  /** The hooks class the fixes pass, with the imports and the class definition it needs at a site. */
  hooksClassFix(unit: number, anchor: Binding | undefined): { cls: string; imports: ImportNeed[]; preludes: PreludeNeed[] };
  /** The name of that class alone (the same at every site). */
  hooksClassName(): string;
  /** The memory binding a fix needs when the memory is not bound where `node` uses it. */
  memoryFix(node: Node, unit: number, anchor: Binding | undefined): { imports: ImportNeed[]; preludes: PreludeNeed[] };
  /** Records a finding (dropped when its rule is off or a comment suppresses it). */
  report(r: Report): void;
  /** An edit only fix-all makes: a consequence of another fix in the same pass (ENG002 wrap → ENG004 context). */
  followUp(plan: () => Plan): void;
}

/** What the rules left behind, read once they have all run. */
export interface Collected {
  readonly raws: readonly RawFinding[];
  readonly followUps: readonly Plan[];
  readonly errorUnits: readonly number[];
  /** Module-level classes of the file usable as run hooks (for the workspace index). */
  hooksClasses(): HooksClassInfo[];
  /** Names whose mention can make a call or an assignment relevant (for result reuse after small edits). */
  relevantNames(): string[];
}

/**
 * The binding-resolution pass over one file (one unit) or all cells of a notebook (several units).
 * Without `fixes` the findings say whether they have a fix, but no fix (nor suppression edit) is planned.
 */
export function buildContext(py: PythonParser, units: readonly Unit[], options: AnalyzeOptions = {}, fixes = true): { context: AnalysisContext; collected: Collected } {
  const enabled = new Set<RuleId>(options.rules ?? DEFAULT_RULES);
  const data: UnitData[] = units.map((u, index) => collect(py, index, u));
  const b = new Bindings();
  for (const d of data) for (const imp of d.imports) b.addImport(d.index, imp);
  b.finish();
  for (const name of options.shadowedAgentsNames ?? []) {
    for (const [local, binding] of [...b.runner, ...b.agent]) {
      const imported = importedNameOf(binding.node, local);
      if (imported === name) {
        b.runner.delete(local);
        b.agent.delete(local);
      }
    }
    if (name === '*') b.agentsModule.clear();
  }

  const hasAny = b.runner.size || b.agent.size || b.agentsModule.size || b.memoryCtor.size || b.engramiaModule.size;
  const errorUnits = data.filter((d) => d.tree.rootNode.hasError).map((d) => d.index);
  const memoryDefault = options.memoryVariable?.trim() || DEFAULT_MEMORY_VARIABLE;

  // ---- node classifiers -------------------------------------------------------------------
  /** `Runner` itself: a bound name or `<agents alias>.Runner`. */
  const isRunnerClass = (n: Node | null): boolean => {
    if (!n) return false;
    if (n.type === 'identifier') return b.runner.has(n.text);
    if (n.type === 'attribute') return n.childForFieldName('attribute')?.text === 'Runner' && isAgentsModule(n.childForFieldName('object'));
    return false;
  };
  /** Names (or `self.x` texts) assigned a `Runner(...)` instance: `runner = Runner()` then `runner.run(...)`. */
  const runnerInstances = new Set<string>();
  /** A receiver of `.run*`: the class, `Runner()`, or a variable holding an instance. */
  const isRunnerRef = (n: Node | null): boolean => {
    if (!n) return false;
    if (isRunnerClass(n)) return true;
    if ((n.type === 'identifier' || n.type === 'attribute') && runnerInstances.has(n.text)) return true;
    if (n.type === 'call') {
      const args = n.childForFieldName('arguments');
      return !!args && args.type === 'argument_list' && args.namedChildren.every((c) => c?.type === 'comment') && isRunnerClass(n.childForFieldName('function'));
    }
    return false;
  };
  const isAgentsModule = (n: Node | null): boolean => !!n && n.type === 'identifier' && b.agentsModule.has(n.text);
  const isAgentCtor = (n: Node | null): boolean => {
    if (!n) return false;
    if (n.type === 'identifier') return b.agent.has(n.text);
    if (n.type === 'attribute') {
      const attr = n.childForFieldName('attribute')?.text;
      return (attr === 'Agent' || attr === 'SandboxAgent') && isAgentsModule(n.childForFieldName('object'));
    }
    if (n.type === 'subscript') return isAgentCtor(n.childForFieldName('value'));
    return false;
  };
  const isMemoryCtor = (n: Node | null): boolean => {
    if (!n) return false;
    if (n.type === 'identifier') return b.memoryCtor.has(n.text);
    if (n.type === 'attribute') {
      const obj = n.childForFieldName('object');
      return n.childForFieldName('attribute')?.text === 'Memory' && !!obj && (b.engramiaModule.has(obj.text) || obj.text === 'engramia.memory');
    }
    return false;
  };
  const isInstructionsCall = (v: Node | null): boolean => {
    if (!v || v.type !== 'call') return false;
    const f = v.childForFieldName('function');
    if (!f) return false;
    if (f.type === 'identifier') return b.instructionsFn.has(f.text);
    return f.type === 'attribute' && f.childForFieldName('attribute')?.text === 'engramia_instructions';
  };

  // Cheap prefilter (a necessary condition only; every decision is made on nodes): a call or
  // assignment can matter only when the first characters of its source mention a bound name.
  const tokens = [...new Set([...b.runner.keys(), ...b.agent.keys(), ...b.agentsModule.keys(), ...b.memoryCtor, ...b.engramiaModule, ...b.engramiaHooks])];
  // the calls `mentions` can accept: those holding a token or a method token (`.clone`, ...)
  // (one walk per unit also finds every class definition, and the assignment around each call)
  const classDefs = new Map<UnitData, Node[]>();
  /** The innermost assignment (found by the same walk) around a call, by the call's id. */
  const assignAround = new Map<number, Node>();
  for (const d of data) {
    const found: Node[] = [];
    nodesAround(py, d, [...tokens, '.clone', '.as_tool', '.learn', 'class'], WALK_TYPES, found);
    const classes: Node[] = [];
    const open: { node: Node; end: number }[] = [];
    for (const n of found) {
      while (open.length && open[open.length - 1]!.end <= n.startIndex) open.pop();
      const type = n.type;
      if (type === 'call') {
        d.calls.push(n);
        if (open.length) assignAround.set(n.id, open[open.length - 1]!.node);
      } else if (type === 'assignment') open.push({ node: n, end: n.endIndex });
      else classes.push(n);
    }
    classDefs.set(d, classes);
  }
  const mentions = (d: UnitData, n: Node, extra: readonly string[] = []): boolean => {
    const t = d.text.slice(n.startIndex, Math.min(n.endIndex, n.startIndex + 400));
    return tokens.some((k) => t.includes(k)) || extra.some((k) => t.includes(k));
  };

  // ---- assignments: known agents, engramia agents, memory variables, static constants -------
  const knownAgents = new Set<string>();
  const engramiaAgents = new Set<string>();
  const memoryNames = new Set<string>();
  let memoryVariable: string | undefined;
  const callAssigns: { lhs: string; call: Node }[] = [];
  for (const d of data) {
    for (const rhs of d.calls) {
      if (!mentions(d, rhs, ['.clone'])) continue;
      // the call is the value of an assignment: the innermost assignment around it has it on its right
      const a = assignAround.get(rhs.id);
      if (!a || a.childForFieldName('right')?.id !== rhs.id) continue;
      const lhs = a.childForFieldName('left');
      if (!lhs) continue;
      callAssigns.push({ lhs: lhs.text, call: rhs });
      if (isRunnerClass(rhs.childForFieldName('function')) && (lhs.type === 'identifier' || lhs.type === 'attribute')) runnerInstances.add(lhs.text);
      if (isMemoryCtor(rhs.childForFieldName('function'))) {
        memoryNames.add(lhs.text);
        const atModule = a.parent?.type === 'expression_statement' && a.parent.parent?.type === 'module';
        if (atModule && lhs.type === 'identifier' && memoryVariable === undefined) memoryVariable = lhs.text;
      }
    }
  }
  // calls on Runner instances (`runner = Runner()` ... `runner.run(...)`) name no token: collect them too
  if (runnerInstances.size) {
    const names = [...runnerInstances];
    tokens.push(...names.filter((n) => !tokens.includes(n)));
    for (const d of data) {
      const extra: Node[] = [];
      nodesAround(py, d, names, CALL_TYPES, extra);
      const seen = new Set(d.calls.map((c) => c.id));
      const fresh = extra.filter((c) => !seen.has(c.id));
      if (fresh.length) {
        d.calls.push(...fresh);
        d.calls.sort((x, y) => x.startIndex - y.startIndex || y.endIndex - x.endIndex);
      }
    }
  }
  const mem = memoryVariable ?? memoryDefault;
  memoryNames.add(mem);
  const staticAgents = new Set<string>();
  /** What each pass of `resolveAgents` reads from one assignment's call (the nodes do not change between passes). */
  interface AssignFacts { readonly cloneOf: string | undefined; readonly ctor: boolean; instr?: Node | undefined; engramiaInstr?: boolean }
  const facts: AssignFacts[] = [];
  const resolveAgents = () => { for (let changed = true, i = 0; changed && i < 8; i++) {
    changed = false;
    for (let j = 0; j < callAssigns.length; j++) {
      const { lhs, call } = callAssigns[j]!;
      let fa = facts[j];
      if (!fa) {
        const f = call.childForFieldName('function');
        const cloneOf = f?.type === 'attribute' && f.childForFieldName('attribute')?.text === 'clone' ? f.childForFieldName('object')?.text : undefined;
        fa = facts[j] = { cloneOf, ctor: isAgentCtor(f) };
      }
      const cloneOf = fa.cloneOf;
      const isAgent = fa.ctor || (cloneOf !== undefined && knownAgents.has(cloneOf));
      if (!isAgent) continue;
      if (!knownAgents.has(lhs)) {
        knownAgents.add(lhs);
        changed = true;
      }
      if (fa.engramiaInstr === undefined) {
        const args = call.childForFieldName('arguments');
        fa.instr = args?.type === 'argument_list' ? keywordValue(args, 'instructions') : undefined;
        fa.engramiaInstr = fa.instr ? isInstructionsCall(fa.instr) : false;
      }
      const instr = fa.instr;
      if (instr && !staticAgents.has(lhs) && isStatic(instr)) staticAgents.add(lhs);
      const engramia = instr ? fa.engramiaInstr : cloneOf !== undefined && engramiaAgents.has(cloneOf);
      if (engramia && !engramiaAgents.has(lhs)) {
        engramiaAgents.add(lhs);
        changed = true;
      }
    }
  } };
  const isStatic = (v: Node | null, depth = 0): boolean => {
    if (!v || depth > 20) return false;
    switch (v.type) {
      case 'string':
      case 'concatenated_string':
        return true;
      case 'parenthesized_expression':
        return isStatic(v.firstNamedChild, depth + 1);
      case 'identifier':
        return isConstant(v.text, depth);
      case 'binary_operator': {
        const op = v.childForFieldName('operator')?.type;
        const left = v.childForFieldName('left');
        if (op === '+') return isStatic(left, depth + 1) || isStatic(v.childForFieldName('right'), depth + 1);
        if (op === '%') return !!left && (left.type === 'string' || left.type === 'concatenated_string');
        return false;
      }
      case 'call': {
        const f = v.childForFieldName('function');
        if (!f) return false;
        if (f.type === 'identifier') return STATIC_HELPERS.has(f.text);
        if (f.type === 'attribute') {
          const attr = f.childForFieldName('attribute')?.text;
          const obj = f.childForFieldName('object');
          if (attr === 'format') return isStatic(obj, depth + 1);
          if (attr === 'dedent') return obj?.text === 'textwrap';
        }
        return false;
      }
      default:
        return false;
    }
  };
  /**
   * Module-level `NAME = <static string expression>`, decided per name on first use: NAME is a
   * constant when some such assignment's value is static (through other constants; a name met
   * again while it is being decided counts as not static, and what was decided under that
   * assumption is not kept unless it is final).
   */
  const constants = new Map<string, boolean>();
  const deciding = new Set<string>();
  let cycles = 0;
  const isConstant = (name: string, depth: number): boolean => {
    const known = constants.get(name);
    if (known !== undefined) return known;
    if (deciding.has(name)) {
      cycles++;
      return false;
    }
    deciding.add(name);
    const before = cycles;
    let found = false;
    for (const d of data) {
      const assigns: Node[] = [];
      // a module-level statement starts a line (or follows a `;`)
      nodesAround(py, d, [name], ['assignment'], assigns, startsStatement);
      found = assigns.some((a) => a.parent?.type === 'expression_statement' && a.parent.firstNamedChild?.id === a.id && a.parent.parent?.type === 'module'
        && a.childForFieldName('left')?.type === 'identifier' && a.childForFieldName('left')!.text === name && isStatic(a.childForFieldName('right'), depth + 1));
      if (found) break;
    }
    deciding.delete(name);
    if (found || cycles === before || deciding.size === 0) constants.set(name, found);
    return found;
  };

  resolveAgents();

  // ---- suppressions -------------------------------------------------------------------------
  const sup = suppressions(data, options.noqa === true);
  const suppressed = (rule: RuleId, unit: number, rows: number[], ownRows: number[]): boolean => {
    const has = (s: Set<RuleId> | 'all' | undefined) => s === 'all' || (s !== undefined && s.has(rule));
    if (has(sup.file)) return true;
    if (rows.some((r) => sup.on(unit, r, false).some(has))) return true;
    return ownRows.some((r) => sup.on(unit, r - 1, true).some(has));
  };
  const raws: RawFinding[] = [];
  const followUps: Plan[] = [];
  const importSites = new Map<string, ImportSite>();
  const engramiaSite = (unit: number, anchor: Binding | undefined, module: string) => importSite(data, importSites, unit, anchor, module);

  // ---- hooks classes, the memory in scope, and what the hooks fixes insert ------------------
  const native = options.engramiaHooksAreRunHooks === true;
  interface ClassFacts { readonly runHooks: boolean; readonly engramia: boolean }
  const NO_FACTS: ClassFacts = { runHooks: false, engramia: false };
  const workspaceClasses = options.workspaceHooksClasses ?? [];
  const importedClass = (local: string): ClassFacts | undefined => {
    const imp = b.fromImports.get(local);
    return imp ? findWorkspaceClass(workspaceClasses, imp.module, imp.name) : undefined;
  };
  const localClasses = new Map<string, { node: Node; unit: UnitData; facts?: ClassFacts }>();
  for (const d of data) {
    for (const c of classDefs.get(d)!) {
      const name = c.childForFieldName('name')?.text;
      if (name && !localClasses.has(name)) localClasses.set(name, { node: c, unit: d });
    }
  }
  const isEngramiaHooksRef = (n: Node | null): boolean =>
    !!n && ((n.type === 'identifier' && b.engramiaHooks.has(n.text)) || (n.type === 'attribute' && n.childForFieldName('attribute')?.text === 'EngramiaRunHooks'));
  const baseFacts = (e: Node | null, depth: number): ClassFacts => {
    if (!e) return NO_FACTS;
    if (e.type === 'subscript') return baseFacts(e.childForFieldName('value'), depth);
    if (isEngramiaHooksRef(e)) return { runHooks: native, engramia: true };
    if (e.type === 'identifier') return b.runHooks.has(e.text) ? { runHooks: true, engramia: false } : classFacts(e.text, depth + 1) ?? NO_FACTS;
    if (e.type === 'attribute') {
      const attr = e.childForFieldName('attribute')?.text;
      const obj = e.childForFieldName('object');
      const agentsObj = isAgentsModule(obj) || (obj?.type === 'attribute' && obj.childForFieldName('attribute')?.text === 'lifecycle' && isAgentsModule(obj.childForFieldName('object')));
      if ((attr === 'RunHooks' || attr === 'RunHooksBase') && agentsObj) return { runHooks: true, engramia: false };
    }
    return NO_FACTS;
  };
  /** What a class name stands for: a class of this file (its bases, or a body that uses EngramiaRunHooks) or one imported from the workspace. */
  function classFacts(name: string, depth = 0): ClassFacts | undefined {
    const local = localClasses.get(name);
    if (!local) return importedClass(name);
    if (local.facts) return local.facts;
    if (depth > 16) return NO_FACTS;
    local.facts = NO_FACTS; // a cycle ends here
    let runHooks = false;
    let engramia = false;
    for (const s of local.node.childForFieldName('superclasses')?.namedChildren ?? []) {
      if (!s || s.type === 'keyword_argument' || s.type === 'comment') continue;
      const f = baseFacts(s, depth);
      runHooks ||= f.runHooks;
      engramia ||= f.engramia;
    }
    // the body refers to EngramiaRunHooks: only a class whose text names it can (most classes do not)
    const classText = !engramia ? local.unit.text.slice(local.node.startIndex, local.node.endIndex) : '';
    if (!engramia && (classText.includes('EngramiaRunHooks') || [...b.engramiaHooks].some((n) => classText.includes(n)))) {
      const body = local.node.childForFieldName('body');
      engramia = !!body && (body.descendantsOfType('identifier').some((n) => !!n && b.engramiaHooks.has(n.text)) || body.descendantsOfType('attribute').some((n) => n?.childForFieldName('attribute')?.text === 'EngramiaRunHooks'));
    }
    local.facts = { runHooks, engramia };
    return local.facts;
  }

  const hooksNames = new Set<string>();
  const assignedCalls = new Map<string, { call: Node; unit: number } | null>();
  const assignedCall = (name: string): { call: Node; unit: number } | undefined => {
    if (assignedCalls.has(name)) return assignedCalls.get(name) ?? undefined;
    let hit: { call: Node; unit: number } | undefined;
    for (const d of data) {
      const found: Node[] = [];
      nodesAround(py, d, [name], ['assignment'], found);
      const a = found.find((n) => n.childForFieldName('left')?.text === name && n.childForFieldName('right')?.type === 'call');
      if (a) {
        hit = { call: a.childForFieldName('right')!, unit: d.index };
        break;
      }
    }
    assignedCalls.set(name, hit ?? null);
    return hit;
  };
  const classifyCall = (call: Node, unit: number): HooksState => {
    const f = call.childForFieldName('function');
    if (!f) return { kind: 'unknown' };
    if (isEngramiaHooksRef(f)) return native ? { kind: 'ok' } : { kind: 'plain', callee: f, unit };
    const facts = f.type === 'identifier' ? classFacts(f.text) : undefined;
    const name = f.text;
    if (!facts) return { kind: 'unknown' };
    if (facts.runHooks) return facts.engramia ? { kind: 'ok' } : { kind: 'not-engramia', name };
    return facts.engramia || localClasses.has(name) ? { kind: 'rejected', name } : { kind: 'unknown' };
  };
  const classifyHooks = (v: Node, unit: number): HooksState => {
    if (v.type === 'call') return classifyCall(v, unit);
    if (v.type === 'identifier') {
      hooksNames.add(v.text);
      const a = assignedCall(v.text);
      if (a) return classifyCall(a.call, a.unit);
    }
    return { kind: 'unknown' };
  };

  // The memory a fix refers to must be bound where the fix uses it; else the fix binds one.
  let memBinders: { unit: number; scope: Node | null }[] | undefined;
  const memInScope = (node: Node, unit: number): boolean => {
    if (memoryVariable !== undefined) return true; // a module-level `X = Memory(...)`
    memBinders ??= data.flatMap((d) => {
      const found: Node[] = [];
      nodesAround(py, d, [mem], BINDER_TYPES, found);
      return found.filter((n) => binds(n, mem)).map((n) => ({ unit: d.index, scope: scopeOf(n) }));
    });
    return memBinders.some((m) => m.scope === null || (m.unit === unit && isAncestor(m.scope, node)));
  };
  const storagePath = options.storagePath?.trim() || DEFAULT_STORAGE_PATH;
  const [settingModule, settingName] = (options.hooksClass ?? '').split(':').map((x) => x.trim());
  const validSetting = !!settingModule && !!settingName && /^[A-Za-z_][\w.]*$/.test(settingModule) && /^[A-Za-z_]\w*$/.test(settingName);
  const localOk = [...localClasses.keys()].find((n) => { const f = classFacts(n); return !!f && f.runHooks && f.engramia; });
  const workspaceOk = workspaceClasses.find((c) => c.runHooks && c.engramia && c.module !== options.moduleName);
  /** The hooks class the fixes pass, with the imports and the class definition it needs at a site. */
  const hooksClassName = (): string => {
    const engramiaName = [...b.engramiaHooks][0];
    if (native) return engramiaName ?? 'EngramiaRunHooks';
    if (validSetting) return settingName!;
    return localOk ?? workspaceOk?.name ?? HOOKS_CLASS_NAME;
  };
  const hooksClassFix = (unit: number, anchor: Binding | undefined): { cls: string; imports: ImportNeed[]; preludes: PreludeNeed[] } => {
    const sdk = engramiaSite(unit, anchor, ENGRAMIA_SDK_MODULE);
    const engramiaName = [...b.engramiaHooks][0];
    const cls = hooksClassName();
    if (native) return { cls, imports: engramiaName ? [] : [{ site: sdk, name: 'EngramiaRunHooks' }], preludes: [] };
    if (validSetting) {
      if (settingModule === options.moduleName) return { cls, imports: [], preludes: [] };
      return { cls, imports: [{ site: engramiaSite(unit, anchor, settingModule!), name: settingName! }], preludes: [] };
    }
    if (localOk) return { cls, imports: [], preludes: [] };
    if (workspaceOk) return { cls, imports: [{ site: engramiaSite(unit, anchor, workspaceOk.module), name: workspaceOk.name }], preludes: [] };
    const imports: ImportNeed[] = [];
    if (!engramiaName) imports.push({ site: sdk, name: 'EngramiaRunHooks' });
    let runHooks = [...b.runHooks].find(([local, bd]) => importedNameOf(bd.node, local) === 'RunHooks')?.[0];
    if (!runHooks) {
      const alias = [...b.agentsModule.keys()][0];
      if (alias) runHooks = `${alias}.RunHooks`;
      else {
        runHooks = 'RunHooks';
        imports.push({ site: engramiaSite(unit, anchor, 'agents'), name: 'RunHooks' });
      }
    }
    const lines = [
      `class ${HOOKS_CLASS_NAME}(${engramiaName ?? 'EngramiaRunHooks'}, ${runHooks}):`,
      `    """EngramiaRunHooks as an agents.RunHooks: the Runner accepts only RunHooks instances."""`,
    ];
    return { cls, imports, preludes: [{ site: sdk, order: 1, lines }] };
  };
  /** The memory binding a fix needs when `mem` is not bound where `node` uses it. */
  const memoryFix = (node: Node, unit: number, anchor: Binding | undefined): { imports: ImportNeed[]; preludes: PreludeNeed[] } => {
    if (memInScope(node, unit)) return { imports: [], preludes: [] };
    const sdk = engramiaSite(unit, anchor, ENGRAMIA_SDK_MODULE);
    const imports: ImportNeed[] = [{ site: engramiaSite(unit, anchor, ENGRAMIA_PROVIDERS_MODULE), name: 'JSONStorage' }];
    let ctor = [...b.memoryCtor][0];
    if (!ctor) {
      const alias = [...b.engramiaModule][0];
      if (alias) ctor = `${alias}.Memory`;
      else {
        ctor = 'Memory';
        imports.push({ site: engramiaSite(unit, anchor, 'engramia'), name: 'Memory' });
      }
    }
    const lines = [`${mem} = ${ctor}(embeddings=None, storage=JSONStorage(path=${pyString(storagePath)}))`];
    return { imports, preludes: [{ site: sdk, order: 2, lines }] };
  };

  const report = (r: Report): void => {
    const { unit: d, rule, call } = r;
    if (!enabled.has(rule)) return;
    const start = 'startIndex' in r.range ? r.range.startIndex : r.range.start;
    const end = 'endIndex' in r.range ? r.range.endIndex : r.range.end;
    const startRow = d.lines.positionAt(start).line;
    const callRow = call.startPosition.row;
    if (suppressed(rule, d.index, [callRow, startRow, ...(r.extraRows ?? [])], [callRow, startRow])) return;
    const hasFix = !!r.plan && !!r.fixTitle;
    if (!fixes) {
      raws.push({ rule, message: r.message, unit: d.index, start, end, ...(hasFix ? { fixTitle: r.fixTitle } : {}) });
      return;
    }
    const suppressEdit = suppressionEdit(d, rule, startRow, callRow, sup);
    raws.push({ rule, message: r.message, unit: d.index, start, end, suppress: suppressEdit, ...(hasFix ? { plan: typeof r.plan === 'function' ? r.plan() : r.plan!, fixTitle: r.fixTitle } : {}) });
  };

  // ---- the call sites the rules match on, each classified once ------------------------------
  const sites: CallSite[] = [];
  if (hasAny) {
    for (const d of data) {
      const methodTokens = [...(knownAgents.size ? ['.clone', '.as_tool'] : []), ...(memoryNames.size ? ['.learn'] : [])];
      for (const call of d.calls) {
        if (!mentions(d, call, methodTokens) || call.hasError) continue;
        const f = call.childForFieldName('function');
        const argsNode = call.childForFieldName('arguments');
        if (!f || !argsNode || argsNode.type !== 'argument_list') continue;
        const args = parseArgs(argsNode);
        let layout: ArgsLayout | undefined;
        const base: SiteBase = { unit: d, call, callee: f, argsNode, args, layout: () => (layout ??= argsLayout(d, argsNode)) };
        const ctorHooks = isRunnerClass(f) ? args.keywords.get('hooks') : undefined;
        if (ctorHooks) {
          sites.push({ ...base, kind: 'runner-init', hooks: ctorHooks });
          continue;
        }
        if (f.type === 'attribute') {
          const method = f.childForFieldName('attribute')?.text ?? '';
          const recv = f.childForFieldName('object');
          if (RUN_METHODS.has(method) && isRunnerRef(recv)) {
            const hooksValue = args.keywords.get('hooks')?.childForFieldName('value') ?? undefined;
            const site: SiteOf<'run'> = { ...base, kind: 'run', method, hooksValue, anchor: once(() => runnerAnchor(recv!, b)), hooksState: once(() => classifyHooks(hooksValue!, d.index)) };
            // an explicit hooks= is classified even next to **kwargs (a second hooks there would be a TypeError)
            if (hooksValue && hooksValue.type !== 'none') site.hooksState();
            sites.push(site);
            continue;
          }
          if (method === 'clone' && recv && knownAgents.has(recv.text)) {
            sites.push({ ...base, kind: 'clone', anchor: once(() => agentAnchorOf(recv, b, callAssigns, isAgentCtor)) });
            continue;
          }
          if (method === 'as_tool' && recv && knownAgents.has(recv.text)) {
            const hooksValue = args.keywords.get('hooks')?.childForFieldName('value') ?? undefined;
            sites.push({ ...base, kind: 'as_tool', hooksValue, anchor: once(() => agentAnchorOf(recv, b, callAssigns, isAgentCtor)), hooksState: once(() => classifyHooks(hooksValue!, d.index)) });
            continue;
          }
          if (method === 'learn' && recv && memoryNames.has(recv.text)) {
            sites.push({ ...base, kind: 'learn' });
            continue;
          }
        }
        if (isAgentCtor(f)) {
          sites.push({ ...base, kind: 'agent', anchor: once(() => ctorAnchor(f, b)) });
          continue;
        }
        if (isMemoryCtor(f) && args.items.length === 0) sites.push({ ...base, kind: 'memory' });
      }
    }
  }

  const context: AnalysisContext = {
    options,
    enabled,
    units: data,
    bindings: b,
    hasAny: !!hasAny,
    mem,
    storagePath,
    knownAgents,
    engramiaAgents,
    staticAgents,
    memoryNames,
    sites,
    isRunnerClass,
    isRunnerRef,
    isAgentCtor,
    isInstructionsCall,
    isStatic,
    find: (d, needles, types) => {
      const out: Node[] = [];
      nodesAround(py, d, needles, types, out);
      return out;
    },
    importSite: engramiaSite,
    hooksClassFix,
    hooksClassName,
    memoryFix,
    report,
    followUp: (plan) => {
      if (fixes) followUps.push(plan());
    },
  };
  const collected: Collected = {
    raws,
    followUps,
    errorUnits,
    hooksClasses() {
      const out: HooksClassInfo[] = [];
      if (b.runHooks.size || b.engramiaHooks.size || b.agentsModule.size || workspaceClasses.length) {
        for (const [name, c] of localClasses) {
          if (c.node.parent?.type !== 'module') continue;
          const f = classFacts(name);
          if (f && (f.runHooks || f.engramia)) out.push({ module: options.moduleName ?? '', name, runHooks: f.runHooks, engramia: f.engramia });
        }
      }
      return out;
    },
    relevantNames: () => [...tokens, 'import', 'clone', 'as_tool', 'learn', 'engramia', 'Memory', 'Agent', 'Runner', 'hooks', 'Hooks', 'class', mem, ...hooksNames, ...localClasses.keys()],
  };
  return { context, collected };
}

/** A lazily computed value, computed at most once. */
function once<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}
