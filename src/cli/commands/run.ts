/**
 * `runbook run <file>`: runs a runbook's checks headlessly (CI), on the same core as the extension.
 * Exit 0 when no selected check fails (warn and skipped are fine), 1 when one fails or errors,
 * 2 on bad usage or an unreadable runbook. Secrets come from the environment, never from a file.
 */
import { accessSync, appendFileSync, constants as fsConstants, existsSync, readFileSync } from 'node:fs';
import { checkOutputFile, UnsafePathError, writeFileSafely } from '../../core/evidence/safeFile';
import { dirname, isAbsolute, resolve, relative } from 'node:path';
import { silentLogger, type EngineEnvironment } from '../../core/checks/engine';
import { formatDuration } from '../../core/text';
import type { CheckRun, OperatorUi } from '../../core/checks/types';
import { appendEvidence, currentUser, evidenceFromRun, hostRecordsFromRun, evidencePathFor, readEvidence, recordInputs, type EvidenceRecord } from '../../core/evidence/log';
import { renderReport } from '../../core/evidence/report';
import { renderJUnit } from '../../core/evidence/junit';
import { githubAnnotations, githubSummary } from '../../core/evidence/github';
import { defaultRegistry, disposeKinds, inputsNeededBy, isDestructiveCheck } from '../../core/kinds';
import { executePlan, summarize, type PlanRun } from '../../core/plan/execute';
import { inputEnvName, processInputServices, resolveInputs } from '../../core/plan/inputs';
import { PlanError, planRun } from '../../core/plan/plan';
import { DEFAULT_SMOKE_PREFIX, RolloutWindow, rolloutStepOf } from '../../core/cutover/timers';
import { parseRunbook, plainText, plural, type RunbookDocument } from '../../core/runbook';
import { environmentSecrets, Masker } from '../../core/secrets/mask';
import { parseTargets } from '../../core/fleet/targets';
import { UsageError, type CliCommand, type CliIo } from '../io';
import { lastGiven, parseCommandArgs, type OptionSpecs } from '../args';

const usage = `Usage: runbook run <file> [options]

Runs the checks of a runbook and reports one line per check. A runbook is a *.runbook.md file,
or a markdown file whose front matter says \`runbook: true\`; other markdown is refused unless
--any-markdown is given (its code blocks would run as checks).

Options:
  --section NAME        only this section (title or id, case-insensitive) and its subsections
  --only ID             only this check (repeatable, or comma-separated)
  --input KEY=VALUE     an input value (repeatable); secret inputs come from the environment
                        (the input's env: name, e.g. ENGRAMIA_API_KEY)
  --continue            run every check even after a failure (default: stop at the first)
  --yes-manual          count manual steps as confirmed (default: --skip-manual, reported as skipped)
  --skip-manual         skip manual steps (the default)
  --json                print a JSON document {runbook, results, summary} instead of lines
  --junit FILE          also write JUnit XML (a testsuite per section, a testcase per check)
  --evidence FILE       append evidence to FILE (default: <name>.runbook.evidence.jsonl beside the runbook)
  --no-evidence         write no evidence
  --report FILE         write the cutover report (markdown, from the whole evidence log) to FILE
  --concurrency N       read-only HTTP/Engramia checks of one section run N at a time (default 4; 1 = serial)
  --cwd DIR             folder that shell/python checks run in (default: the current folder)
  --any-markdown        run the checks of a markdown file that is not marked as a runbook

Exit codes: 0 every selected check passed (warnings and skips allowed), 1 a check failed,
2 bad usage, unreadable runbook, or missing inputs.
`;

/** Signals that cancel a run like Ctrl+C does. */
const CANCEL_SIGNALS: readonly NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export interface RunArgs {
  file: string;
  section?: string;
  only: string[];
  inputs: Record<string, string>;
  json: boolean;
  junit?: string;
  continueOnFailure: boolean;
  manual: 'yes' | 'skip';
  evidence: string | false | undefined;
  concurrency: number;
  cwd?: string;
  report?: string;
  anyMarkdown: boolean;
}

const options = {
  section: { type: 'string' },
  only: { type: 'string', multiple: true },
  input: { type: 'string', multiple: true },
  continue: { type: 'boolean' },
  'yes-manual': { type: 'boolean' },
  'skip-manual': { type: 'boolean' },
  json: { type: 'boolean' },
  junit: { type: 'string' },
  evidence: { type: 'string' },
  'no-evidence': { type: 'boolean' },
  report: { type: 'string' },
  concurrency: { type: 'string' },
  cwd: { type: 'string' },
  'any-markdown': { type: 'boolean' },
} as const satisfies OptionSpecs;

export function parseRunArgs(args: readonly string[]): RunArgs {
  const { values: v, positionals: files, order } = parseCommandArgs(args, options);
  const inputs: Record<string, string> = {};
  for (const kv of v.input ?? []) {
    const k = kv.indexOf('=');
    if (k <= 0) throw new UsageError(`--input expects KEY=VALUE (got "${kv.split('=')[0]}")`);
    inputs[kv.slice(0, k).trim()] = kv.slice(k + 1);
  }
  let concurrency = 4;
  if (v.concurrency !== undefined) {
    concurrency = Number(v.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError('--concurrency expects a whole number ≥ 1');
  }
  // Of --yes-manual / --skip-manual and of --evidence / --no-evidence, the last one given wins.
  const evidence = lastGiven(order, ['evidence', 'no-evidence']);
  if (files.length === 0) throw new UsageError('which runbook? (runbook run <file>)');
  if (files.length > 1) throw new UsageError(`one runbook at a time (got ${files.join(', ')})`);
  return {
    file: files[0]!,
    ...(v.section !== undefined ? { section: v.section } : {}),
    only: (v.only ?? []).flatMap((o) => o.split(',').map((s) => s.trim()).filter(Boolean)),
    inputs,
    json: !!v.json,
    ...(v.junit !== undefined ? { junit: v.junit } : {}),
    continueOnFailure: !!v.continue,
    manual: lastGiven(order, ['yes-manual', 'skip-manual']) === 'yes-manual' ? 'yes' : 'skip',
    evidence: evidence === 'no-evidence' ? false : evidence === 'evidence' ? v.evidence : undefined,
    concurrency,
    ...(v.cwd !== undefined ? { cwd: v.cwd } : {}),
    ...(v.report !== undefined ? { report: v.report } : {}),
    anyMarkdown: !!v['any-markdown'],
  };
}

/**
 * Reads and parses a runbook; a message (exit 2) when it cannot be used. Fences are checks when
 * the registry knows their word — the same rule the extension applies.
 */
export function loadRunbook(file: string, registry = defaultRegistry()): { doc: RunbookDocument } | { error: string } {
  if (!existsSync(file)) return { error: `cannot read ${file}: no such file` };
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    return { error: `cannot read ${file}: ${(err as Error).message}` };
  }
  const doc = parseRunbook(bytes, { isCheckKind: (word) => !!registry.resolve(word) });
  if (doc.failure) return { error: `${file} is not a runbook: ${doc.failure.message}` };
  if (doc.frontMatter?.error) return { error: `${file}: ${doc.frontMatter.error}` };
  return { doc };
}

/**
 * True when `file` is meant to be run as a runbook: its name ends in `.runbook.md`, or its front
 * matter says `runbook: true`. Any other markdown (a README, docs) has code blocks that were never
 * written as checks, so `runbook run` refuses it without --any-markdown.
 */
export function isMarkedRunbook(file: string, doc: RunbookDocument): boolean {
  if (/\.runbook\.md$/i.test(file)) return true;
  return doc.frontMatter?.data?.['runbook'] === true;
}

/** A path relative to cwd when it is inside cwd, else absolute. */
function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Why `file` cannot be written (symlink, FIFO, folder, outside `root`, read-only folder), or undefined. */
function outputProblem(file: string, root?: string): string | undefined {
  try {
    checkOutputFile(file, { root });
    let dir = dirname(file);
    for (let i = 0; i < 64 && !existsSync(dir); i++) dir = dirname(dir);
    accessSync(existsSync(file) ? file : dir, fsConstants.W_OK);
    return undefined;
  } catch (e) {
    return e instanceof UnsafePathError ? e.message : `cannot write ${file}: ${(e as Error).message}`;
  }
}

const ICONS: Record<string, string> = { pass: '✔', warn: '⚠', fail: '✘', error: '✘', skipped: '–' };

export function formatRunLine(run: Pick<CheckRun, 'checkId' | 'verdict' | 'reason' | 'next'>): string {
  const failing = run.verdict === 'fail' || run.verdict === 'error';
  const next = (failing || run.verdict === 'warn') && run.next ? ` → ${plainText(run.next)}` : '';
  return `${ICONS[run.verdict] ?? '?'} ${run.checkId} — ${run.verdict === 'error' ? 'error: ' : ''}${plainText(run.reason)}${next}`;
}

/** A non-interactive operator: manual steps are confirmed only with --yes-manual; destructive calls are never confirmed. */
function headlessUi(manual: 'yes' | 'skip'): OperatorUi {
  return {
    confirm: async () => (manual === 'yes' ? 'yes' : 'skip'),
    typedConfirmation: async () => false,
    confirmEdit: async () => false,
  };
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const opts = parseRunArgs(args);
  const file = resolve(io.cwd, opts.file);
  const loaded = loadRunbook(file);
  if ('error' in loaded) {
    io.stderr(`runbook run: ${loaded.error}\n`);
    return 2;
  }
  const { doc } = loaded;
  if (!opts.anyMarkdown && !isMarkedRunbook(file, doc)) {
    io.stderr(`runbook run: ${displayPath(io.cwd, file)} is not a runbook (name it *.runbook.md or put "runbook: true" in its front matter); --any-markdown runs its code blocks anyway\n`);
    return 2;
  }
  const declared = doc.frontMatter?.inputs ?? [];
  const inputs = resolveInputs(declared, opts.inputs, io.env);
  // Masked everywhere: the secret inputs, and secrets of the environment a check might echo
  // without declaring them (the secret inputs' variables, ENGRAMIA_API_KEY, *_TOKEN, *_KEY …).
  const secrets = [...new Set([...inputs.secrets, ...environmentSecrets(io.env, declared.filter((i) => i.secret).map(inputEnvName))])];
  const masker = new Masker(secrets);
  const out = (t: string) => io.stdout(masker.mask(t));
  const err = (t: string) => io.stderr(masker.mask(t));
  for (const w of inputs.warnings) err(`runbook run: warning: ${w}\n`);

  const registry = defaultRegistry();
  let plan;
  try {
    plan = planRun(doc, { section: opts.section, only: opts.only.length ? opts.only : undefined, isDestructive: (c) => isDestructiveCheck(registry, c) });
  } catch (e) {
    if (e instanceof PlanError) {
      err(`runbook run: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  // A required input is required only when a check that will run uses it (a local-only section
  // needs no API key).
  const needed = inputsNeededBy(registry, plan.entries.filter((e) => !e.skip).map((e) => e.check));
  const missing = inputs.missing.filter((m) => needed.has(m.name));
  if (missing.length || inputs.invalid.length) {
    const lines = [
      ...(missing.length ? [`missing input${missing.length > 1 ? 's' : ''}:`, ...missing.map((m) => `  ${m.name}: ${m.how}`)] : []),
      ...(inputs.invalid.length ? ['invalid input values:', ...inputs.invalid.map((m) => `  ${m}`)] : []),
    ];
    err(`runbook run: ${lines.join('\n')}\n`);
    // With --json, stdout stays one JSON document, here the error (the text above goes to stderr).
    if (opts.json) {
      const error = {
        kind: missing.length ? 'missing-inputs' : 'invalid-inputs',
        message: lines.join('\n'),
        missing: missing.map((m) => ({ name: m.name, how: m.how })),
        invalid: inputs.invalid,
      };
      out(JSON.stringify(masker.maskDeep({ error, exitCode: 2 }), null, 2) + '\n');
    }
    return 2;
  }

  const cwd = opts.cwd ? resolve(io.cwd, opts.cwd) : io.cwd;
  const env: EngineEnvironment = {
    registry,
    inputs: inputs.values,
    secrets,
    cwd,
    trusted: true,
    ui: headlessUi(opts.manual),
    log: silentLogger,
    // The same env names for process checks as in the editor; undeclared --input values are left out.
    environment: io.env,
    services: { ...processInputServices(declared), fleet: parseTargets(doc.frontMatter?.data, dirname(file)) },
  };
  const title = doc.frontMatter?.title ?? doc.sections[0]?.title ?? relative(io.cwd, file);
  const evidenceFile = opts.evidence === false ? undefined : opts.evidence ? resolve(io.cwd, opts.evidence) : evidencePathFor(file);
  const recorded = recordInputs(inputs.values, declared, inputs.secrets);
  const user = currentUser();
  const smokeIds = plan.entries.map((e) => e.check.id).filter((id) => id.startsWith(DEFAULT_SMOKE_PREFIX));
  let evidenceError: string | undefined;
  // Output paths are checked before any check runs: a planted symlink, FIFO or folder is refused,
  // the default evidence sidecar must stay in the runbook's folder, and the folder must be writable.
  for (const [flag, target] of [['--junit', opts.junit], ['--report', opts.report], ['--evidence', typeof opts.evidence === 'string' ? opts.evidence : undefined]] as const) {
    if (!target) continue;
    const problem = outputProblem(resolve(io.cwd, target));
    if (problem) {
      err(`runbook run: ${flag}: ${problem}\n`);
      return 2;
    }
  }
  if (evidenceFile && opts.evidence === undefined) {
    const problem = outputProblem(evidenceFile, dirname(file));
    if (problem) {
      evidenceError = `no evidence is written: ${problem}`;
      err(`runbook run: warning: ${evidenceError}\n`);
    }
  }
  const writeEvidence = (record: EvidenceRecord) => {
    if (!evidenceFile || evidenceError) return;
    try {
      appendEvidence(evidenceFile, record, masker);
    } catch (e) {
      evidenceError = `cannot write evidence to ${evidenceFile}: ${(e as Error).message}`;
      err(`runbook run: warning: ${evidenceError}\n`);
    }
  };

  if (!opts.json) out(`${plainText(title)}${plan.section ? ` › ${plainText(plan.section.title)}` : ''}: ${plural(plan.entries.length, 'check')}\n`);
  const started = Date.now();
  // Ctrl+C, SIGTERM, SIGHUP: stop the running check (its process tree is killed), report the rest
  // as cancelled, exit 1 (Ctrl+C) or 128 + the signal's number. A second signal exits at once
  // (spawned checks then end through their watchdog, src/core/process/tree.ts).
  const controller = new AbortController();
  let endedBy: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(128 + (SIGNAL_NUMBERS[sig] ?? 2));
    endedBy = sig;
    err(sig === 'SIGINT' ? '\nrunbook run: cancelling (Ctrl+C again to quit at once)…\n' : `\nrunbook run: ${sig}: cancelling…\n`);
    controller.abort(new Error('cancelled'));
  };
  for (const sig of CANCEL_SIGNALS) process.on(sig, onSignal);
  const result = await executePlan(plan, env, {
    signal: controller.signal,
    stopOnFirstFailure: !opts.continueOnFailure,
    concurrency: opts.concurrency,
    skip: (c) => {
      const kind = registry.resolve(c.kind);
      if (kind?.name === 'manual' && opts.manual === 'skip') return 'manual step: not confirmed in a headless run (--yes-manual counts it as done)';
      return undefined;
    },
    onResult: (r) => {
      if (!opts.json) out(formatRunLine(r) + '\n');
      // Checks not run (and runs cut short by Ctrl+C) leave no evidence: they would hide earlier results.
      if (r.notRun || (r.verdict === 'skipped' && r.reason === 'cancelled')) return;
      writeEvidence(evidenceFromRun(r, { inputs: recorded, user }));
      for (const h of hostRecordsFromRun(r, { user })) writeEvidence(h);
      const step = rolloutStepOf(r.checkId);
      if (step && r.verdict === 'pass') {
        const w = new RolloutWindow({ smokeIds });
        writeEvidence({ ...w.markRollout(step), user });
        w.dispose();
      }
    },
  });
  for (const sig of CANCEL_SIGNALS) process.off(sig, onSignal);
  await disposeKinds().catch(() => undefined);
  const elapsed = Date.now() - started;
  const summary = summarize(result.runs, elapsed);
  // A check named with --only that could not run (not confirmed in a headless run, a manual step
  // not counted as done) fails the run, whatever its kind reports (skipped or fail).
  const requested = new Set(opts.only);
  const requestedNotRun = result.runs.filter((r) => requested.has(r.checkId) && r.verdict === 'skipped' && r.reason !== 'cancelled');
  const runCode = endedBy && endedBy !== 'SIGINT' ? 128 + (SIGNAL_NUMBERS[endedBy] ?? 15) : summary.ok && !result.cancelled && !requestedNotRun.length ? 0 : 1;
  // Evidence asked for with --evidence that could not be written is a failed run, not a warning.
  const exitCode = runCode === 0 && typeof opts.evidence === 'string' && evidenceError ? 2 : runCode;

  if (opts.junit) {
    const junitFile = resolve(io.cwd, opts.junit);
    try {
      writeFileSafely(junitFile, renderJUnit(title, result.runs, { masker }));
    } catch (e) {
      err(`runbook run: cannot write ${junitFile}: ${(e as Error).message}\n`);
      return 2;
    }
  }

  if (opts.report) {
    const reportFile = resolve(io.cwd, opts.report);
    try {
      // The whole log (earlier runs and hand ticks included) when there is one, else this run.
      const records = evidenceFile && !evidenceError ? readEvidence(evidenceFile) : result.runs.filter((r) => !r.notRun).map((r) => evidenceFromRun(r, { inputs: recorded, user }));
      writeFileSafely(reportFile, renderReport(doc, records, { now: Date.now(), masker, file: displayPath(io.cwd, file) }));
    } catch (e) {
      err(`runbook run: cannot write ${reportFile}: ${(e as Error).message}\n`);
      return 2;
    }
  }

  // In GitHub Actions: a job summary and annotations at the runbook lines of failing checks.
  if (io.env.GITHUB_ACTIONS === 'true') {
    const where = relative(io.env.GITHUB_WORKSPACE || io.cwd, file) || file;
    const lineOf = new Map(plan.entries.map((e) => [e.check.id, (doc.cells[e.check.taskCell ?? e.check.cell]?.lines.start ?? 0) + 1]));
    // Workflow commands are read from the job log; with --json, stdout stays one JSON document.
    for (const line of githubAnnotations(result.runs, where, lineOf)) (opts.json ? err : out)(`${line}\n`);
    const summaryFile = io.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) {
      try {
        appendFileSync(summaryFile, masker.mask(githubSummary(title, result.runs, { file: where, elapsedMs: elapsed })), 'utf8');
      } catch (e) {
        err(`runbook run: cannot write the job summary ${summaryFile}: ${(e as Error).message}\n`);
      }
    }
  }

  if (opts.json) {
    const doc = {
      runbook: { file: displayPath(io.cwd, file), title, section: plan.section?.title },
      results: result.runs.map((r: PlanRun) => ({
        id: r.checkId,
        kind: r.kind,
        section: r.sectionPath,
        label: r.label,
        verdict: r.verdict,
        reason: r.reason,
        next: r.next,
        startedAt: r.startedAt,
        durationMs: r.durationMs,
        notRun: r.notRun || undefined,
        conditions: r.conditions,
        data: r.data,
        details: r.details,
      })),
      summary: { ...summary, stoppedAfter: result.stoppedAfter, cancelled: result.cancelled, ...(requestedNotRun.length ? { requestedNotRun: requestedNotRun.map((r) => r.checkId) } : {}) },
      evidence: evidenceFile && !evidenceError ? evidenceFile : null,
      exitCode,
    };
    out(JSON.stringify(masker.maskDeep(doc), null, 2) + '\n');
  } else {
    const parts = [`${summary.passed} passed`, `${summary.warned} warned`, `${summary.failed + summary.errored} failed`, `${summary.skipped} skipped`];
    out(`\n${summary.ok ? '✔' : '✘'} ${parts.join(', ')} (${plural(summary.total, 'check')}, ${formatDuration(elapsed)})\n`);
    if (result.stoppedAfter) out(`Stopped after ${result.stoppedAfter} failed; --continue runs the rest.\n`);
    if (requestedNotRun.length) out(`Requested but not run: ${requestedNotRun.map((r) => r.checkId).join(', ')} (exit 1).\n`);
    if (result.cancelled) out('Cancelled.\n');
    if (evidenceFile && !evidenceError) out(`Evidence: ${displayPath(io.cwd, evidenceFile)}\n`);
  }
  return exitCode;
}

export const runCommand: CliCommand<RunArgs> = {
  name: 'run',
  summary: 'Run a runbook\'s checks headlessly (CI); exit 0 all passed, 1 a check failed, 2 bad usage',
  usage,
  options,
  parse: parseRunArgs,
  run,
};
