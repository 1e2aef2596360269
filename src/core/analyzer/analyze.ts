/**
 * The analyzer proper: resolves the bindings of one file (or of all cells of a notebook), then
 * matches rules ENG001–ENG006 on the tree-sitter tree and plans their fixes as pure text edits.
 * Specification: /docs/rules/*.md. Never matches raw text: every decision is made on syntax nodes.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { PythonParser } from './parser';
import { DEFAULT_RULES, RULE_IDS, parseRuleId, ruleInfo, versionLessThan, type RuleId, type Severity } from './rules';
import { LineTable, mergeEdits, type OffsetEdit, type TextEdit, type TextRange } from './text';

export const ENGRAMIA_SDK_MODULE = 'engramia.sdk.openai_agents';
export const ENGRAMIA_PROVIDERS_MODULE = 'engramia.providers';
export const DEFAULT_MEMORY_VARIABLE = 'memory';
/** The `RunHooks` subclass the ENG001/ENG003 fixes define when the workspace has none to import. */
export const HOOKS_CLASS_NAME = 'EngramiaAgentsHooks';
/** Where a memory the fixes bind keeps its patterns (JSONStorage path), unless configured. */
export const DEFAULT_STORAGE_PATH = './engramia_data';

/** A class of the workspace that can be passed as run hooks (found by `findHooksClasses`). */
export interface HooksClassInfo {
  /** Dotted module (`pkg.hooks`). */
  readonly module: string;
  readonly name: string;
  /** Derives (directly or not) from the SDK's `RunHooks` / `RunHooksBase`: the Runner accepts it. */
  readonly runHooks: boolean;
  /** Derives from or refers to `EngramiaRunHooks`: runs with it learn. */
  readonly engramia: boolean;
}

export interface AnalyzeOptions {
  /** Rules to run; default: every rule on by default (ENG003 is off). */
  readonly rules?: readonly RuleId[];
  /** Name used in fixes when the file binds no `X = Memory(...)` (default `memory`). */
  readonly memoryVariable?: string;
  /** The installed engramia version (ENG006 is silent while it is unknown). */
  readonly engramiaVersion?: string;
  /** Also honour `# noqa: ENG001` (off by default). */
  readonly noqa?: boolean;
  /**
   * Names a local top-level `agents` package of the workspace defines (e.g. its own `Runner`):
   * imports of these names from `agents` are not trusted (§4 guard). See `localAgentsPackageNames`.
   */
  readonly shadowedAgentsNames?: readonly string[];
  /** JSONStorage path of the memory a fix binds when none is in scope (default `./engramia_data`). */
  readonly storagePath?: string;
  /** `module:Name` of the project's own RunHooks class wiring Engramia: fixes import it instead of defining one. */
  readonly hooksClass?: string;
  /** Hooks classes found in the workspace (resolves imported hooks; the first usable one is imported by fixes). */
  readonly workspaceHooksClasses?: readonly HooksClassInfo[];
  /** The dotted module name of the analysed file (so a fix never imports the file from itself). */
  readonly moduleName?: string;
  /**
   * The installed Engramia's `EngramiaRunHooks` derives from the SDK's `RunHooks` (a later release;
   * see `engramiaHooksAreRunHooks`): it is accepted as is and fixes use it directly.
   */
  readonly engramiaHooksAreRunHooks?: boolean;
}

export interface Fix {
  /** "Engramia (ENG001): Add hooks=EngramiaRunHooks(memory)". */
  readonly title: string;
  /** The fix's edits, import included (cell-tagged for notebooks). */
  readonly edits: readonly TextEdit[];
}

export interface Finding {
  readonly rule: RuleId;
  /** Readable rule name, e.g. `missing-run-hooks`. */
  readonly name: string;
  readonly severity: Severity;
  readonly message: string;
  /** Short range: the callee for run calls, the value for instructions. */
  readonly range: TextRange;
  /** Notebook cell index (absent for a plain file). */
  readonly cell?: number;
  /** The automatic fix, when there is one. */
  readonly fix?: Fix;
  /** "Disable ENG00x for this line": a suppression-comment edit. */
  readonly suppress: Fix;
}

export interface AnalysisResult {
  readonly findings: readonly Finding[];
  /** True when any tree has syntax errors (fix-all is then refused). */
  readonly hasSyntaxErrors: boolean;
  /** Cells (or [0] for a file) whose tree has errors. */
  readonly errorUnits: readonly number[];
  /** The memory variable used in fixes. */
  readonly memoryVariable: string;
  /** Module-level classes of the file usable as run hooks (named by `options.moduleName`), for the workspace index. */
  readonly hooksClasses: readonly HooksClassInfo[];
  /** Every fixable finding's edits merged (one import edit per site); empty while there are syntax errors. */
  fixAll(): TextEdit[];
  /** Names whose mention can make a call or an assignment relevant (used to reuse results after small edits). */
  readonly relevantNames: readonly string[];
  /**
   * The same result after an edit that cannot change it (single file): offsets at or after
   * `oldEnd` move by `delta`; positions are recomputed on `newText`.
   */
  shifted(oldEnd: number, delta: number, newText: string | LineTable): AnalysisResult;
}

export interface Unit {
  readonly text: string;
  readonly tree: Tree;
}

// ---------------------------------------------------------------------------------------------
// Fix planning data (plain values: valid after the trees are deleted)

interface ArgsLayout {
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

type Intent =
  | { readonly kind: 'keyword'; readonly layout: ArgsLayout; readonly text: string }
  | { readonly kind: 'replace'; readonly unit: number; readonly start: number; readonly end: number; readonly text: string };

interface ImportSite {
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

interface ImportNeed {
  readonly site: ImportSite;
  readonly name: string;
}

/** Statements inserted once per block after its imports (the hooks class, the memory binding). */
interface PreludeNeed {
  readonly site: ImportSite;
  /** Order within the block (class before memory) and de-duplication key. */
  readonly order: number;
  /** The statement's lines (unindented). */
  readonly lines: readonly string[];
}

interface Plan {
  readonly intents: readonly Intent[];
  readonly imports: readonly ImportNeed[];
  readonly preludes?: readonly PreludeNeed[];
}

// ---------------------------------------------------------------------------------------------

const RUN_METHODS = new Set(['run', 'run_sync', 'run_streamed']);
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

interface Binding {
  readonly unit: number;
  /** The import statement that bound the name (anchor for the Engramia import). */
  readonly node: Node;
}

class Bindings {
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

interface UnitData {
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

interface Suppressions {
  /** Rules suppressed by comments on a row of a unit; `ownLineOnly` keeps only comments alone on their line. */
  on(unit: number, row: number, ownLineOnly: boolean): (Set<RuleId> | 'all')[];
  readonly file: Set<RuleId> | 'all' | undefined;
}
/** Analyses one file (one unit) or all cells of a notebook (several units, bindings shared). */
export function analyzeUnits(py: PythonParser, units: readonly Unit[], options: AnalyzeOptions = {}, notebook = units.length > 1): AnalysisResult {
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
  for (const d of data) nodesAround(py, d, [...tokens, '.clone', '.as_tool', '.learn'], CALL_TYPES, d.calls);
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
      const a = rhs.parent;
      if (a?.type !== 'assignment' || a.childForFieldName('right')?.startIndex !== rhs.startIndex) continue;
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
        return constantSet().has(v.text);
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
  /** Module-level `NAME = <static string expression>` (computed on first use). */
  let constants: Set<string> | undefined;
  function constantSet(): Set<string> {
    if (constants) return constants;
    const found = new Set<string>();
    constants = found;
    const moduleAssigns: Node[] = [];
    for (const d of data) {
      for (const st of d.tree.rootNode.namedChildren) {
        if (st?.type !== 'expression_statement') continue;
        const a = st.firstNamedChild;
        if (a?.type === 'assignment' && a.childForFieldName('left')?.type === 'identifier') moduleAssigns.push(a);
      }
    }
    for (let changed = true, i = 0; changed && i < 8; i++) {
      changed = false;
      for (const a of moduleAssigns) {
        const name = a.childForFieldName('left')!.text;
        if (!found.has(name) && isStatic(a.childForFieldName('right'))) {
          found.add(name);
          changed = true;
        }
      }
    }
    return found;
  }

  resolveAgents();

  // ---- suppressions -------------------------------------------------------------------------
  const sup = suppressions(data, options.noqa === true);
  const suppressed = (rule: RuleId, unit: number, rows: number[], ownRows: number[]): boolean => {
    const has = (s: Set<RuleId> | 'all' | undefined) => s === 'all' || (s !== undefined && s.has(rule));
    if (has(sup.file)) return true;
    if (rows.some((r) => sup.on(unit, r, false).some(has))) return true;
    return ownRows.some((r) => sup.on(unit, r - 1, true).some(has));
  };

  // ---- rules --------------------------------------------------------------------------------
  const raws: RawFinding[] = [];
  /** Edits only fix-all makes: consequences of other fixes in the same pass (ENG002 wrap → ENG004 context). */
  const followUps: Plan[] = [];
  const sites = new Map<string, ImportSite>();
  const engramiaSite = (unit: number, anchor: Binding | undefined, module: string) => importSite(data, sites, unit, anchor, module);

  // ---- hooks classes, the memory in scope, and what the hooks fixes insert ------------------
  const native = options.engramiaHooksAreRunHooks === true;
  interface ClassFacts { readonly runHooks: boolean; readonly engramia: boolean }
  const NO_FACTS: ClassFacts = { runHooks: false, engramia: false };
  const workspaceClasses = options.workspaceHooksClasses ?? [];
  const importedClass = (local: string): ClassFacts | undefined => {
    const imp = b.fromImports.get(local);
    return imp ? findWorkspaceClass(workspaceClasses, imp.module, imp.name) : undefined;
  };
  const localClasses = new Map<string, { node: Node; facts?: ClassFacts }>();
  for (const d of data) {
    const found: Node[] = [];
    nodesAround(py, d, ['class'], ['class_definition'], found);
    for (const c of found) {
      const name = c.childForFieldName('name')?.text;
      if (name && !localClasses.has(name)) localClasses.set(name, { node: c });
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
    if (!engramia) {
      const body = local.node.childForFieldName('body');
      engramia = !!body && (body.descendantsOfType('identifier').some((n) => !!n && b.engramiaHooks.has(n.text)) || body.descendantsOfType('attribute').some((n) => n?.childForFieldName('attribute')?.text === 'EngramiaRunHooks'));
    }
    local.facts = { runHooks, engramia };
    return local.facts;
  }

  type HooksState =
    | { readonly kind: 'ok' }
    /** `EngramiaRunHooks(...)` itself: the Runner raises TypeError; fixable by swapping the class. */
    | { readonly kind: 'plain'; readonly callee: Node; readonly unit: number }
    /** A known class the Runner rejects (not a RunHooks). */
    | { readonly kind: 'rejected'; readonly name: string }
    /** A RunHooks that does not wire Engramia. */
    | { readonly kind: 'not-engramia'; readonly name: string }
    | { readonly kind: 'unknown' };
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
  const hooksClassFix = (unit: number, anchor: Binding | undefined): { cls: string; imports: ImportNeed[]; preludes: PreludeNeed[] } => {
    const sdk = engramiaSite(unit, anchor, ENGRAMIA_SDK_MODULE);
    const engramiaName = [...b.engramiaHooks][0];
    if (native) return { cls: engramiaName ?? 'EngramiaRunHooks', imports: engramiaName ? [] : [{ site: sdk, name: 'EngramiaRunHooks' }], preludes: [] };
    if (validSetting) {
      if (settingModule === options.moduleName) return { cls: settingName!, imports: [], preludes: [] };
      return { cls: settingName!, imports: [{ site: engramiaSite(unit, anchor, settingModule!), name: settingName! }], preludes: [] };
    }
    if (localOk) return { cls: localOk, imports: [], preludes: [] };
    if (workspaceOk) return { cls: workspaceOk.name, imports: [{ site: engramiaSite(unit, anchor, workspaceOk.module), name: workspaceOk.name }], preludes: [] };
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
    return { cls: HOOKS_CLASS_NAME, imports, preludes: [{ site: sdk, order: 1, lines }] };
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

  const add = (d: UnitData, rule: RuleId, message: string, rangeNode: Node | { start: number; end: number }, call: Node, plan: Plan | undefined, fixTitle: string | undefined, extraRows: number[] = []) => {
    if (!enabled.has(rule)) return;
    const start = 'startIndex' in rangeNode ? rangeNode.startIndex : rangeNode.start;
    const end = 'endIndex' in rangeNode ? rangeNode.endIndex : rangeNode.end;
    const startRow = d.lines.positionAt(start).line;
    const callRow = call.startPosition.row;
    if (suppressed(rule, d.index, [callRow, startRow, ...extraRows], [callRow, startRow])) return;
  
    const suppressEdit = suppressionEdit(d, rule, startRow, callRow, sup);
    raws.push({ rule, message, unit: d.index, start, end, suppress: suppressEdit, ...(plan && fixTitle ? { plan, fixTitle } : {}) });
  };

  if (hasAny) {
    for (const d of data) {
      const methodTokens = [...(knownAgents.size ? ['.clone', '.as_tool'] : []), ...(memoryNames.size ? ['.learn'] : [])];
      for (const call of d.calls) {
        if (!mentions(d, call, methodTokens) || call.hasError) continue;
        const f = call.childForFieldName('function');
        const argsNode = call.childForFieldName('arguments');
        if (!f || !argsNode || argsNode.type !== 'argument_list') continue;
        const args = parseArgs(argsNode);
        const layout = () => argsLayout(d, argsNode);

        // ENG007: Runner(hooks=...) (Runner takes no arguments)
        const ctorHooks = isRunnerClass(f) ? args.keywords.get('hooks') : undefined;
        if (ctorHooks) {
          const i = args.items.indexOf(ctorHooks);
          const next = args.items[i + 1];
          const prev = args.items[i - 1];
          const [start, end] = next ? [ctorHooks.startIndex, next.startIndex] : prev ? [prev.endIndex, ctorHooks.endIndex] : [ctorHooks.startIndex, ctorHooks.endIndex];
          add(d, 'ENG007', `${f.text}(hooks=...) raises "TypeError: Runner() takes no arguments": the Runner has no constructor options. Pass hooks= to each run call (runner.run(..., hooks=...)).`, ctorHooks, call,
            { intents: [{ kind: 'replace', unit: d.index, start, end, text: '' }], imports: [] },
            `Engramia (ENG007): Remove hooks= from ${f.text}(...) (pass it to the run calls)`);
          continue;
        }

        if (f.type === 'attribute') {
          const method = f.childForFieldName('attribute')?.text ?? '';
          const recv = f.childForFieldName('object');
          if (RUN_METHODS.has(method) && isRunnerRef(recv)) {
            const anchor = runnerAnchor(recv!, b);
            // ENG001
            const hooks = args.keywords.get('hooks');
            const hooksValue = hooks?.childForFieldName('value');
            if (hooksValue && hooksValue.type !== 'none') {
              // an explicit hooks= is checked even next to **kwargs (a second hooks there would be a TypeError)
              checkHooksValue(d, call, f, hooksValue, 'ENG001', anchor);
            } else if (!args.dictSplat && !(method === 'run_streamed' && (args.positional.length >= 5 || args.listSplat))) {
              {
                if (enabled.has('ENG001')) {
                  const hc = hooksClassFix(d.index, anchor);
                  const mf = memoryFix(call, d.index, anchor);
                  const hookText = `${hc.cls}(${mem})`;
                  const intent: Intent = !hooks || !hooksValue
                    ? { kind: 'keyword', layout: layout(), text: `hooks=${hookText}` }
                    : { kind: 'replace', unit: d.index, start: hooksValue.startIndex, end: hooksValue.endIndex, text: hookText };
                  add(d, 'ENG001', !hooks
                    ? `${f.text}(...) passes no hooks: Engramia learns nothing from this run. Add hooks=${hookText}.`
                    : `${f.text}(...) passes hooks=None: Engramia learns nothing from this run. Use hooks=${hookText}.`, f, call,
                  { intents: [intent], imports: [...hc.imports, ...mf.imports], preludes: [...hc.preludes, ...mf.preludes] },
                  !hooks ? `Engramia (ENG001): Add hooks=${hookText}` : `Engramia (ENG001): Replace hooks=None with hooks=${hookText}`);
                }
              }
            }
            // ENG004
            if (!args.dictSplat && !args.listSplat) {
              const starting = args.keywords.get('starting_agent')?.childForFieldName('value') ?? args.positional[0];
              const usesEngramia = !!starting && (engramiaAgents.has(starting.text) || (starting.type === 'call' && isAgentCtor(starting.childForFieldName('function')) && isInstructionsCall(keywordValue(starting.childForFieldName('arguments'), 'instructions') ?? null)));
              const ctx = args.keywords.get('context');
              const ctxValue = ctx?.childForFieldName('value');
              const hasContext = (ctx && ctxValue?.type !== 'none') || (method === 'run_streamed' && args.positional.length >= 3);
              if (!usesEngramia && !hasContext && enabled.has('ENG004') && enabled.has('ENG002') && starting && staticAgents.has(starting.text)) {
                // fix-all also wraps this agent's instructions (ENG002): add the context= that ENG004 would ask for next
                const input = args.keywords.get('input')?.childForFieldName('value') ?? args.positional[1];
                if (input && (input.type === 'identifier' || input.type === 'attribute' || input.type === 'string' || input.type === 'concatenated_string')) {
                  followUps.push({ intents: [ctx && ctxValue ? { kind: 'replace', unit: d.index, start: ctxValue.startIndex, end: ctxValue.endIndex, text: input.text } : { kind: 'keyword', layout: layout(), text: `context=${input.text}` }], imports: [] });
                }
              }
              if (usesEngramia && !hasContext) {
                const input = args.keywords.get('input')?.childForFieldName('value') ?? args.positional[1];
                const simple = input && (input.type === 'identifier' || input.type === 'attribute' || input.type === 'string' || input.type === 'concatenated_string');
                const plan: Plan | undefined = simple
                  ? { intents: [ctx && ctxValue ? { kind: 'replace', unit: d.index, start: ctxValue.startIndex, end: ctxValue.endIndex, text: input.text } : { kind: 'keyword', layout: layout(), text: `context=${input.text}` }], imports: [] }
                  : undefined;
                add(d, 'ENG004', `${starting!.text} uses engramia_instructions, but ${f.text}(...) passes no context=: recall never runs. Pass context=<task text> or context={"task": ...}.`, f, call,
                  plan, simple ? `Engramia (ENG004): Add context=${shorten(input.text)}` : undefined);
              }
            }
            continue;
          }
          // ENG002 on clone, ENG003 on as_tool
          if (method === 'clone' && recv && knownAgents.has(recv.text)) {
            checkInstructions(d, call, args, agentAnchorOf(recv, b, callAssigns, isAgentCtor));
            continue;
          }
          if (method === 'as_tool' && recv && knownAgents.has(recv.text)) {
            const hooksValue = args.keywords.get('hooks')?.childForFieldName('value');
            const anchor = agentAnchorOf(recv, b, callAssigns, isAgentCtor);
            if (!args.keywords.has('hooks') && args.positional.length < 8 && !args.dictSplat) {
              if (enabled.has('ENG003')) {
                const hc = hooksClassFix(d.index, anchor);
                const mf = memoryFix(call, d.index, anchor);
                add(d, 'ENG003', `${f.text}(...) passes no hooks: the nested agent run is not learned by Engramia. Add hooks=${hc.cls}(${mem}).`, f, call,
                  { intents: [{ kind: 'keyword', layout: layout(), text: `hooks=${hc.cls}(${mem})` }], imports: [...hc.imports, ...mf.imports], preludes: [...hc.preludes, ...mf.preludes] },
                  `Engramia (ENG003): Add hooks=${hc.cls}(${mem})`);
              }
            } else if (hooksValue && hooksValue.type !== 'none' && enabled.has('ENG003')) {
              checkHooksValue(d, call, f, hooksValue, 'ENG003', anchor);
            }
            continue;
          }
          if (method === 'learn' && recv && memoryNames.has(recv.text)) {
            const kw = args.keywords.get('on_duplicate');
            const older = options.engramiaVersion ? versionLessThan(options.engramiaVersion, '0.7.0') : undefined;
            if (kw && older === true) {
              add(d, 'ENG006', `on_duplicate= does not exist in engramia ${options.engramiaVersion} (added in 0.7.0): this call raises TypeError. Upgrade engramia or remove the argument.`, kw, call, undefined, undefined);
            }
            continue;
          }
        }
        if (isAgentCtor(f)) {
          checkInstructions(d, call, args, ctorAnchor(f, b));
          continue;
        }
        if (isMemoryCtor(f) && args.items.length === 0) {
          const site = engramiaSite(d.index, undefined, ENGRAMIA_PROVIDERS_MODULE);
          add(d, 'ENG005', `${f.text}() raises TypeError: Memory needs embeddings and storage (e.g. Memory(embeddings=OpenAIEmbeddings(), storage=JSONStorage(path="./engramia_data"))).`, call, call,
            {
              intents: [{ kind: 'replace', unit: d.index, start: argsNode.startIndex, end: argsNode.endIndex, text: `(embeddings=OpenAIEmbeddings(), storage=JSONStorage(path=${pyString(storagePath)}))` }],
              imports: [{ site, name: 'JSONStorage' }, { site, name: 'OpenAIEmbeddings' }],
            },
            'Engramia (ENG005): Use Memory(embeddings=OpenAIEmbeddings(), storage=JSONStorage(...))');
        }
      }
    }
  }

  // ENG007: hooks set as an attribute of the Runner (or an instance): never read
  if (hasAny && enabled.has('ENG007') && (b.runner.size || b.agentsModule.size)) {
    for (const d of data) {
      const found: Node[] = [];
      nodesAround(py, d, ['.hooks'], ['assignment'], found);
      for (const a of found) {
        const left = a.childForFieldName('left');
        if (a.hasError || left?.type !== 'attribute' || left.childForFieldName('attribute')?.text !== 'hooks' || !isRunnerRef(left.childForFieldName('object'))) continue;
        add(d, 'ENG007', `${left.text} = ... is ignored: the Runner never reads a hooks attribute. Pass hooks= to each run call (${left.childForFieldName('object')!.text}.run(..., hooks=...)).`, left, a, undefined, undefined);
      }
    }
  }

  function checkInstructions(d: UnitData, call: Node, args: ParsedArgs, anchor: Binding | undefined): void {
    const kw = args.keywords.get('instructions');
    const v = kw?.childForFieldName('value');
    if (!v || !isStatic(v) || !enabled.has('ENG002')) return;
    const site = engramiaSite(d.index, anchor, ENGRAMIA_SDK_MODULE);
    const mf = memoryFix(call, d.index, anchor);
    add(d, 'ENG002', `Static instructions: Engramia's recalled patterns never reach this agent. Wrap with engramia_instructions(${mem}, base=...).`, v, call,
      { intents: [{ kind: 'replace', unit: d.index, start: v.startIndex, end: v.endIndex, text: `engramia_instructions(${mem}, base=${v.text})` }], imports: [{ site, name: 'engramia_instructions' }, ...mf.imports], preludes: mf.preludes },
      'Engramia (ENG002): Wrap with engramia_instructions', [v.endPosition.row]);
  }

  /** `hooks=<value>` given: the Runner must accept it (a RunHooks) and it must make Engramia learn. */
  function checkHooksValue(d: UnitData, call: Node, f: Node, v: Node, rule: 'ENG001' | 'ENG003', anchor: Binding | undefined): void {
    const st = classifyHooks(v, d.index);
    if (st.kind === 'ok') return;
    if (st.kind === 'plain') {
      if (!enabled.has(rule)) return;
      const hc = hooksClassFix(st.unit, anchor);
      // the guide's `EngramiaRunHooks(memory)` in a file that never binds `memory`: bind it too
      const hooksCall = st.callee.parent;
      const firstArg = hooksCall?.childForFieldName('arguments')?.namedChildren.find((c) => c?.type !== 'comment');
      const mf = hooksCall && firstArg?.type === 'identifier' && firstArg.text === mem ? memoryFix(hooksCall, st.unit, anchor) : { imports: [], preludes: [] };
      hc.imports.push(...mf.imports);
      hc.preludes.push(...mf.preludes);
      add(d, rule, `hooks=${shorten(v.text)} raises TypeError when ${f.text}(...) runs: "Run hooks must be instances of RunHooks. Received EngramiaRunHooks." (EngramiaRunHooks is not an agents.RunHooks). Use hooks=${hc.cls}(...), a RunHooks subclass of EngramiaRunHooks.`, f, call,
        { intents: [{ kind: 'replace', unit: st.unit, start: st.callee.startIndex, end: st.callee.endIndex, text: hc.cls }], imports: hc.imports, preludes: hc.preludes },
        `Engramia (${rule}): Use ${hc.cls}, a RunHooks subclass of EngramiaRunHooks`);
      return;
    }
    if (st.kind === 'rejected') {
      add(d, rule, `hooks=${shorten(v.text)} raises TypeError when ${f.text}(...) runs: "Run hooks must be instances of RunHooks. Received ${st.name}." Derive ${st.name} from agents.RunHooks as well (class ${st.name}(EngramiaRunHooks, RunHooks)).`, f, call, undefined, undefined);
      return;
    }
    if (st.kind === 'not-engramia') {
      add(d, 'ENG008', `hooks=${shorten(v.text)}: ${st.name} is a RunHooks that does not use EngramiaRunHooks: Engramia learns nothing from this run.`, v, call, undefined, undefined);
      return;
    }
    add(d, 'ENG008', `hooks=${shorten(v.text)} cannot be resolved in the workspace to a RunHooks class that wires Engramia: check by hand that it derives from agents.RunHooks and EngramiaRunHooks.`, v, call, undefined, undefined);
  }

  const hooksClasses: HooksClassInfo[] = [];
  if (b.runHooks.size || b.engramiaHooks.size || b.agentsModule.size || workspaceClasses.length) {
    for (const [name, c] of localClasses) {
      if (c.node.parent?.type !== 'module') continue;
      const f = classFacts(name);
      if (f && (f.runHooks || f.engramia)) hooksClasses.push({ module: options.moduleName ?? '', name, runHooks: f.runHooks, engramia: f.engramia });
    }
  }
  return buildResult(raws, followUps, data.map((d) => d.lines), notebook, errorUnits, mem, hooksClasses, [...tokens, 'import', 'clone', 'as_tool', 'learn', 'engramia', 'Memory', 'Agent', 'Runner', 'hooks', 'Hooks', 'class', mem, ...hooksNames, ...localClasses.keys()]);
}

interface RawFinding {
  readonly rule: RuleId;
  readonly message: string;
  readonly unit: number;
  readonly start: number;
  readonly end: number;
  readonly suppress: OffsetEdit;
  readonly plan?: Plan;
  readonly fixTitle?: string;
}

function buildResult(raws: readonly RawFinding[], followUps: readonly Plan[], lines: readonly LineTable[], notebook: boolean, errorUnits: readonly number[], mem: string, hooksClasses: readonly HooksClassInfo[], relevantNames: readonly string[]): AnalysisResult {
  const findings = raws.map((r): Finding => {
    const info = ruleInfo(r.rule);
    const l = lines[r.unit]!;
    const cell = notebook ? r.unit : undefined;
    const base = {
      rule: r.rule,
      name: info.name,
      severity: info.severity,
      message: r.message,
      range: l.range(r.start, r.end),
      ...(cell !== undefined ? { cell } : {}),
      suppress: { title: `Engramia (${r.rule}): Disable for this line`, edits: [toCell(l.toTextEdit(r.suppress), cell)] },
    };
    if (!r.plan || !r.fixTitle) return base;
    const plan = r.plan;
    let edits: TextEdit[] | undefined;
    return {
      ...base,
      fix: {
        title: r.fixTitle,
        // rendered on first use (diagnostics never need them)
        get edits(): readonly TextEdit[] {
          edits ??= renderPlans([plan], lines, notebook);
          return edits;
        },
      },
    };
  });
  const order = findings.map((_f, i) => i).sort((x, y) => {
    const a = findings[x]!;
    const b = findings[y]!;
    return (a.cell ?? 0) - (b.cell ?? 0) || a.range.startOffset - b.range.startOffset || a.rule.localeCompare(b.rule);
  });
  return {
    findings: order.map((i) => findings[i]!),
    hasSyntaxErrors: errorUnits.length > 0,
    errorUnits,
    memoryVariable: mem,
    hooksClasses,
    relevantNames,
    fixAll(): TextEdit[] {
      if (errorUnits.length) return [];
      return renderPlans([...raws.flatMap((r) => (r.plan ? [r.plan] : [])), ...followUps], lines, notebook);
    },
    shifted(oldEnd: number, delta: number, newText: string | LineTable): AnalysisResult {
      const o = (x: number) => (x >= oldEnd ? x + delta : x);
      const sites = new Map<ImportSite, ImportSite>();
      const site = (x: ImportSite): ImportSite => {
        let y = sites.get(x);
        if (!y) {
          y = { ...x, ...(x.append ? { append: { ...x.append, at: o(x.append.at) } } : {}), insert: { ...x.insert, at: o(x.insert.at) } };
          sites.set(x, y);
        }
        return y;
      };
      const plan = (p: Plan): Plan => ({
        intents: p.intents.map((i): Intent => i.kind === 'replace'
          ? { ...i, start: o(i.start), end: o(i.end) }
          : { ...i, layout: { ...i.layout, openEnd: o(i.layout.openEnd), lastEnd: o(i.layout.lastEnd), ...(i.layout.commaEnd !== undefined ? { commaEnd: o(i.layout.commaEnd) } : {}), lineEndAfterLast: o(i.layout.lineEndAfterLast) } }),
        imports: p.imports.map((n) => ({ ...n, site: site(n.site) })),
        ...(p.preludes ? { preludes: p.preludes.map((n) => ({ ...n, site: site(n.site) })) } : {}),
      });
      const moved = raws.map((r): RawFinding => ({
        ...r,
        start: o(r.start),
        end: o(r.end),
        suppress: { ...r.suppress, start: o(r.suppress.start), end: o(r.suppress.end) },
        ...(r.plan ? { plan: plan(r.plan) } : {}),
      }));
      return buildResult(moved, followUps.map(plan), [typeof newText === 'string' ? new LineTable(newText) : newText], notebook, errorUnits, mem, hooksClasses, relevantNames);
    },
  };
}

/** The name an import statement imports under the local name `local` (`Runner as R` → `Runner`). */
function importedNameOf(imp: Node, local: string): string {
  for (const n of imp.childrenForFieldName('name')) {
    if (n.type === 'aliased_import' && n.childForFieldName('alias')?.text === local) return n.childForFieldName('name')?.text ?? local;
  }
  return local;
}

function toCell(e: TextEdit, cell: number | undefined): TextEdit {
  return cell === undefined ? e : { ...e, cell };
}

function shorten(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 37)}...` : one;
}

// ---------------------------------------------------------------------------------------------

function collect(py: PythonParser, index: number, u: Unit): UnitData {
  const d: UnitData = { index, text: u.text, tree: u.tree, lines: new LineTable(u.text), imports: [], rowComments: new Map(), calls: [], root: u.tree.rootNode };
  // every import statement spells the keyword `import` inside its own range
  nodesAround(py, d, ['import'], IMPORT_TYPES, d.imports);
  return d;
}

const IMPORT_TYPES = ['import_statement', 'import_from_statement', 'future_import_statement'];
const CALL_TYPES = ['call'];
/** Subtrees smaller than this (in characters) are searched whole, in one call into the runtime. */
const WHOLE_SUBTREE = 200;

/**
 * Appends to `out`, in document order, every node of `types` that contains an occurrence of one
 * of `needles` in the text — and possibly more such nodes (callers filter again). Only subtrees
 * that hold an occurrence are searched, so most of a large file is never materialised.
 */
function nodesAround(py: PythonParser, u: UnitData, needles: readonly string[], types: readonly string[], out: Node[]): void {
  const root = u.root;
  if (needles.some((k) => !k)) {
    // an empty needle occurs everywhere: every node of these types
    for (const c of py.query.captures(root)) if (types.includes(c.node.type)) out.push(c.node);
    return;
  }
  const pos: number[] = [];
  for (const k of needles) for (let i = u.text.indexOf(k); i >= 0; i = u.text.indexOf(k, i + 1)) pos.push(i);
  if (!pos.length) return;
  pos.sort((a, b) => a - b);
  gather(root, root.endIndex, pos, 0, pos.length, types, out);
}

/** `pos[lo..hi)` are the (sorted) occurrences within [node.startIndex, end). */
function gather(node: Node, end: number, pos: readonly number[], lo: number, hi: number, types: readonly string[], out: Node[]): void {
  if (end - node.startIndex <= WHOLE_SUBTREE) {
    for (const n of node.descendantsOfType(types as string[])) if (n) out.push(n);
    return;
  }
  if (types.includes(node.type)) out.push(node);
  const kids = node.children;
  let p = lo;
  for (let i = 0; i < kids.length && p < hi; i++) {
    const kid = kids[i];
    if (!kid) continue;
    // siblings never overlap: a child lies within [its start, the next child's start)
    const next = i + 1 < kids.length ? kids[i + 1] : undefined;
    const kidEnd = next ? next.startIndex : end;
    while (p < hi && pos[p]! < kid.startIndex) p++;
    const first = p;
    while (p < hi && pos[p]! < kidEnd) p++;
    if (p > first) gather(kid, kidEnd, pos, first, p, types, out);
  }
}

interface ParsedArgs {
  readonly items: Node[];
  readonly positional: Node[];
  readonly keywords: Map<string, Node>;
  readonly listSplat: boolean;
  readonly dictSplat: boolean;
}

function parseArgs(args: Node): ParsedArgs {
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

function keywordValue(args: Node | null, name: string): Node | undefined {
  if (!args || args.type !== 'argument_list') return undefined;
  for (const c of args.namedChildren) {
    if (c?.type === 'keyword_argument' && c.childForFieldName('name')?.text === name) return c.childForFieldName('value') ?? undefined;
  }
  return undefined;
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

function argsLayout(d: UnitData, args: Node): ArgsLayout {
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
function renderPlans(plans: readonly Plan[], allLines: readonly LineTable[], notebook: boolean): TextEdit[] {
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
function importSite(data: readonly UnitData[], sites: Map<string, ImportSite>, unitIndex: number, anchor: Binding | undefined, module: string): ImportSite {
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

// ---------------------------------------------------------------------------------------------
// Suppression comments (§9), read from comment nodes only

interface Directive {
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

function suppressions(data: readonly UnitData[], noqa: boolean): Suppressions {
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
function suppressionEdit(d: UnitData, rule: RuleId, row: number, callRow: number, _sup: Suppressions): OffsetEdit {
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
      if ((n.type === 'string' || n.type === 'string_content') && n.startIndex < lineEnd && n.endIndex > lineEnd) return true;
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

// ---------------------------------------------------------------------------------------------
// Hooks classes and name binding (for the hooks and memory the fixes insert)

/** A workspace hooks class by import: `from pkg.hooks import H` (or a relative `from .hooks import H`). */
function findWorkspaceClass(classes: readonly HooksClassInfo[], module: string, name: string): HooksClassInfo | undefined {
  // `from .hooks import H` and `src/`-style layouts: a dotted suffix of the file's module path matches
  const rel = module.replace(/^\.+/, '');
  return classes.find((c) => c.name === name && rel !== '' && (c.module === rel || c.module.endsWith(`.${rel}`)));
}

const BINDER_TYPES = ['assignment', 'parameters', 'lambda_parameters', 'import_statement', 'import_from_statement', 'function_definition', 'class_definition', 'for_statement', 'named_expression', 'global_statement'];

/** True when the node binds `name` in its scope (an assignment target, a parameter, an import, a def, a loop target). */
function binds(n: Node, name: string): boolean {
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
function scopeOf(n: Node): Node | null {
  if (n.type === 'parameters' || n.type === 'lambda_parameters') return n.parent;
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') return p;
  }
  return null;
}

function isAncestor(scope: Node, n: Node): boolean {
  for (let p: Node | null = n; p; p = p.parent) if (p.startIndex === scope.startIndex && p.endIndex === scope.endIndex && p.type === scope.type) return true;
  return false;
}

/** A Python string literal for a value (JSON escapes are valid Python escapes). */
function pyString(value: string): string {
  return JSON.stringify(value);
}
