/**
 * A cutover session: one object the VS Code layer (or any driver) feeds with finished checks and
 * hand ticks. It appends evidence beside the runbook, opens a rollout smoke window when a
 * `rollout.<step>` check passes (or on `markRollout`), feeds smoke results into that window, keeps
 * drill splits per section, and renders the cutover report. Secrets are masked on every write.
 */
import type { CheckRun } from '../checks/types';
import {
  appendEvidence, currentUser, evidenceFromRun, hostRecordsFromRun, evidencePathFor, handTickRecord, readEvidence, recordInputs, type EvidenceRecord,
} from '../evidence/log';
import { renderReport } from '../evidence/report';
import type { RunbookDocument } from '../runbook/model';
import { Masker } from '../secrets/mask';
import { sectionKey } from '../plan/plan';
import {
  DEFAULT_SMOKE_PREFIX, DrillTimer, RolloutWindow, rolloutStepOf, systemClock, type Clock, type RolloutStep, type WindowStatus,
} from './timers';

export interface SessionOptions {
  /** The runbook file; evidence goes to `<name>.runbook.evidence.jsonl` beside it unless `evidenceFile` is set. */
  readonly runbookPath: string;
  readonly evidenceFile?: string;
  readonly clock?: Clock;
  /** Who is operating (default: the OS user). */
  readonly user?: string;
  readonly smokePrefix?: string;
  readonly windowMs?: number;
  /** Title of the rollback section for the window-closed message (default "Rollback"). */
  readonly rollbackSection?: string;
  /** A rollout window closed; `status.message` is set when a smoke was not run or not green. */
  readonly onWindowClose?: (status: WindowStatus) => void;
  /** Writing evidence failed (the session keeps going). */
  readonly onError?: (message: string) => void;
  /** Records appended, e.g. to refresh a view. */
  readonly onRecord?: (record: EvidenceRecord) => void;
}

export interface RunContext {
  readonly label?: string;
  readonly sectionPath: readonly string[];
  /** Input values in play (secret ones included: they are recorded as "(secret)" and masked). */
  readonly inputs?: Readonly<Record<string, string>>;
  /** Names of the secret inputs. */
  readonly secretInputs?: readonly string[];
}

export interface SessionCheck {
  readonly id: string;
  readonly sectionPath: readonly string[];
}

export class CutoverSession {
  readonly evidenceFile: string;
  private readonly clock: Clock;
  private readonly secrets = new Set<string>();
  private readonly rollout: RolloutWindow;
  private readonly drill: DrillTimer;
  private lastOfSection = new Map<string, string>();
  private smokeIds: string[] = [];

  constructor(private readonly options: SessionOptions) {
    this.evidenceFile = options.evidenceFile ?? evidencePathFor(options.runbookPath);
    this.clock = options.clock ?? systemClock;
    this.rollout = new RolloutWindow({
      clock: this.clock,
      windowMs: options.windowMs,
      smokePrefix: options.smokePrefix,
      rollbackSection: options.rollbackSection,
      onClose: (s) => options.onWindowClose?.(s),
      smokeIds: () => this.smokeIds,
    });
    this.drill = new DrillTimer(this.clock, 'drill');
  }

  get user(): string | undefined {
    return this.options.user ?? currentUser();
  }

  /** The runbook's checks in document order (call again when the document changes). */
  setChecks(checks: readonly SessionCheck[]): void {
    const prefix = this.options.smokePrefix ?? DEFAULT_SMOKE_PREFIX;
    this.lastOfSection = new Map(checks.map((c) => [sectionKey(c.sectionPath), c.id]));
    this.smokeIds = checks.map((c) => c.id).filter((id) => id.startsWith(prefix));
  }

  /** Adds secret values to mask (e.g. an API key set outside any run). */
  addSecrets(values: Iterable<string | undefined>): void {
    for (const v of values) if (v) this.secrets.add(v);
  }

  /** A finished check: evidence, rollout window, drill split. Returns the records written. */
  recordRun(run: CheckRun, context: RunContext): EvidenceRecord[] {
    const inputs = context.inputs ?? {};
    const secretNames = new Set(context.secretInputs ?? []);
    this.addSecrets([...secretNames].map((n) => inputs[n]));
    const recorded = recordInputs(inputs, [...secretNames].map((name) => ({ name, secret: true })), [...this.secrets]);
    const withContext = { ...run, sectionPath: context.sectionPath, label: context.label };
    const records: EvidenceRecord[] = [evidenceFromRun(withContext, { inputs: recorded, user: this.user }), ...hostRecordsFromRun(withContext, { user: this.user })];
    const started = Date.parse(run.startedAt);
    const ended = started + run.durationMs;
    this.rollout.record({ checkId: run.checkId, verdict: run.verdict, at: ended });
    const step = rolloutStepOf(run.checkId);
    if (step && run.verdict === 'pass') records.push(this.rolloutRecord(step, ended));
    if (this.drill.running) {
      const key = sectionKey(context.sectionPath);
      this.drill.checkStarted(key, started);
      const split = this.drill.checkFinished(key, this.lastOfSection.get(key) === run.checkId, ended);
      if (split) records.push(split);
    }
    this.write(records);
    return records;
  }

  /** A box ticked or unticked by a person. `item.id`: the check id, or `taskItemId(...)` for a task without a check. */
  recordTick(item: { id: string; label?: string; sectionPath?: readonly string[] }, checked: boolean, user?: string): EvidenceRecord {
    const r = handTickRecord({ id: item.id, label: item.label, section: item.sectionPath }, checked, { user: user ?? this.user, at: this.clock.now() });
    this.write([r]);
    const step = rolloutStepOf(item.id);
    if (step && checked) this.write([this.rolloutRecord(step, this.clock.now())]);
    return r;
  }

  /** Opens the smoke window of a rollout step by hand. */
  markRollout(step: RolloutStep, at: number = this.clock.now()): EvidenceRecord {
    const r = this.rolloutRecord(step, at);
    this.write([r]);
    return r;
  }

  windowStatus(now: number = this.clock.now()): WindowStatus | undefined {
    return this.rollout.windowStatus(now);
  }

  startDrill(): EvidenceRecord {
    const r = this.drill.start();
    this.write([r]);
    return r;
  }

  splitDrill(section: string): EvidenceRecord | undefined {
    const r = this.drill.split(section);
    if (r) this.write([r]);
    return r;
  }

  stopDrill(): EvidenceRecord | undefined {
    const r = this.drill.stop();
    if (r) this.write([r]);
    return r;
  }

  get drillRunning(): boolean {
    return this.drill.running;
  }

  drillTotal(now: number = this.clock.now()): number {
    return this.drill.total(now);
  }

  /** The cutover report (markdown) from the whole evidence log. */
  report(doc: RunbookDocument, options: { title?: string; now?: number } = {}): string {
    return renderReport(doc, readEvidence(this.evidenceFile), {
      now: options.now ?? this.clock.now(),
      title: options.title,
      masker: new Masker(this.secrets),
      smokePrefix: this.options.smokePrefix,
      windowMs: this.options.windowMs,
      file: this.options.runbookPath.split(/[\\/]/).pop(),
    });
  }

  dispose(): void {
    this.rollout.dispose();
  }

  private rolloutRecord(step: RolloutStep, at: number): EvidenceRecord {
    return { ...this.rollout.markRollout(step, at), user: this.user };
  }

  private write(records: readonly EvidenceRecord[]): void {
    const masker = new Masker(this.secrets);
    for (const r of records) {
      try {
        appendEvidence(this.evidenceFile, r, masker);
        this.options.onRecord?.(masker.maskDeep(r));
      } catch (e) {
        this.options.onError?.(`cannot write evidence to ${this.evidenceFile}: ${(e as Error).message}`);
      }
    }
  }
}
