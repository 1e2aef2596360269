/** Run plans (no `vscode`): which checks a run takes and in what order, executing a plan, resolving inputs. */
export { planRun, checksOf, findSection, sectionOfCell, sectionKey, isExcludedFromRunAll, PlanError, EXCLUDED_REASON, DESTRUCTIVE_REASON, type PlannedCheck, type PlanEntry, type RunPlan, type PlanOptions } from './plan';
export { executePlan, isFailing, isParallelSafe, httpMethodOf, progressBySection, summarize, type PlanRun, type ExecuteOptions, type RunnerOptions, type CheckRunner, type PlanEnvironment, type ExecuteResult, type RunSummary, type SectionProgress as PlanSectionProgress } from './execute';
export { resolveInputs, inputEnvName, inputEnvNamesOf, processInputServices, type ResolvedInputs } from './inputs';
