/** Cutover operations (no `vscode`): run plans and orchestration, input resolution, timers, the cutover session. */
export { planRun, checksOf, findSection, sectionOfCell, sectionKey, isExcludedFromRunAll, PlanError, EXCLUDED_REASON, DESTRUCTIVE_REASON, type PlannedCheck, type PlanEntry, type RunPlan, type PlanOptions } from './plan';
export { executePlan, isFailing, isParallelSafe, httpMethodOf, progressBySection, summarize, type PlanRun, type ExecuteOptions, type ExecuteResult, type RunSummary, type SectionProgress as PlanSectionProgress } from './execute';
export { resolveInputs, inputEnvName, inputEnvNamesOf, processInputServices, type ResolvedInputs } from './inputs';
export {
  RolloutWindow, DrillTimer, rolloutWindowStatus, rolloutStepOf, formatDuration, systemClock,
  ROLLOUT_STEPS, DEFAULT_WINDOW_MS, DEFAULT_SMOKE_PREFIX,
  type Clock, type RolloutStep, type RolloutOptions, type SmokeResult, type WindowState, type WindowStatus, type DrillSplit,
} from './timers';
export { CutoverSession, type SessionOptions, type RunContext, type SessionCheck } from './session';
