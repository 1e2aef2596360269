/**
 * The analyzer proper: one binding-resolution pass over a file (or all cells of a notebook) builds
 * the context (`context.ts`), then every enabled rule of the rules list (`rules/index.ts`, one module
 * per rule) visits the call sites it matches and plans its fix as pure text edits (`fixes.ts`).
 * Specification: /docs/rules/*.md. Never matches raw text: every decision is made on syntax nodes.
 */
import type { Tree } from 'web-tree-sitter';
import { buildContext } from './context';
import type { PythonParser } from './parser';
import { buildResult } from './result';
import { RULE_MODULES, type RuleId, type Severity } from './rules';
import type { LineTable, TextEdit, TextRange } from './text';

export { ENGRAMIA_SDK_MODULE, ENGRAMIA_PROVIDERS_MODULE, DEFAULT_MEMORY_VARIABLE, HOOKS_CLASS_NAME, DEFAULT_STORAGE_PATH } from './names';
export { parseDirectives } from './suppress';

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


/**
 * Analyses one file (one unit) or all cells of a notebook (several units, bindings shared). With
 * `fixes` false no fix is planned: the findings and whether each has a fix are the same, but asking
 * for an edit (a fix's, a suppression's, fix-all) throws. A workspace scan needs only the diagnostics.
 */
export function analyzeUnits(py: PythonParser, units: readonly Unit[], options: AnalyzeOptions = {}, notebook = units.length > 1, fixes = true): AnalysisResult {
  const { context: ctx, collected } = buildContext(py, units, options, fixes);
  const rules = RULE_MODULES.filter((r) => ctx.enabled.has(r.meta.id));
  // each site in document order, the rules in list order (a run's ENG001 fix is planned before its ENG004 fix)
  for (const site of ctx.sites) {
    for (const rule of rules) {
      const visit = rule.calls?.[site.kind] as ((c: typeof ctx, s: typeof site) => void) | undefined;
      visit?.(ctx, site);
    }
  }
  for (const rule of rules) rule.after?.(ctx);
  return buildResult(collected.raws, collected.followUps, ctx.units.map((d) => d.lines), notebook, collected.errorUnits, ctx.mem, collected.hooksClasses(), collected.relevantNames(), fixes);
}
