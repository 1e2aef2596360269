/**
 * The shape of a rule module (`rules/ENG00x.ts`): its metadata, and its matcher as visitors of
 * the call sites the binding pass classified (plus an optional pass of its own after them). A
 * matcher reports findings with their fix (a plan of edits) through the context.
 */
import type { AnalysisContext, CallSite, SiteOf } from '../context';

export type Severity = 'error' | 'warning' | 'information';

export interface RuleMeta<Id extends string = string> {
  /** Never renamed: suppression comments and settings depend on it. */
  readonly id: Id;
  /** Readable name, e.g. `missing-run-hooks` (accepted wherever an id is). */
  readonly name: string;
  /** A few words for a CodeLens or a list. */
  readonly title: string;
  readonly severity: Severity;
  readonly enabledByDefault: boolean;
  /** One sentence: what it flags and why it matters. */
  readonly summary: string;
  /** The rule's page, relative to the repository root (its specification). */
  readonly docs: string;
}

/** Visitors by call-site kind: each is called for every site of its kind, in document order. */
export type SiteVisitors = { readonly [K in CallSite['kind']]?: (ctx: AnalysisContext, site: SiteOf<K>) => void };

export interface Rule<Id extends string = string> {
  readonly meta: RuleMeta<Id>;
  readonly calls?: SiteVisitors;
  /** After every call site was visited: a rule's own search (e.g. `runner.hooks = ...` assignments). */
  readonly after?: (ctx: AnalysisContext) => void;
}
