/** The cutover (no `vscode`): rollout windows, drill timers and the session that records evidence. */
export {
  RolloutWindow, DrillTimer, rolloutWindowStatus, rolloutStepOf, systemClock,
  ROLLOUT_STEPS, DEFAULT_WINDOW_MS, DEFAULT_SMOKE_PREFIX,
  type Clock, type RolloutStep, type RolloutOptions, type SmokeResult, type WindowState, type WindowStatus, type DrillSplit,
} from './timers';
export { CutoverSession, type SessionOptions, type RunContext, type SessionCheck } from './session';
