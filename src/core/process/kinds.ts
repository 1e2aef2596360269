/**
 * The `shell` (sh, bash) and `python` (py) check kinds: the body runs as a real process in the
 * workspace folder. The body is written to a temp file and run as `bash <file>` / `python <file>`,
 * so it is never mixed with input text; inputs reach the process only as environment variables.
 *
 * Verdict: the exit code (0 pass, 1 fail, 2 warn, anything else fail) unless the body has `??`
 * conditions; then the conditions decide, and a non-zero exit still fails unless a condition
 * addresses `exit`. The reason is the last `RESULT: …` line on stdout, else the last non-empty
 * stdout line; `NEXT: …` sets the next step. See docs/checks/process.md.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as z from 'zod';
import { isConditionLine, parseConditions } from '../checks/conditions';
import type { Condition } from '../checks/conditions/types';
import { placeholders, envName } from '../checks/template';
import { formatDuration } from '../text';
import { booleanAttribute } from '../checks/registry';
import type { CheckContext, CheckInvocation, CheckKind, CheckResult } from '../checks/types';
import { untilAborted } from '../checks/abort';
import { applyProposedEdit } from './edit';
import { baseEnvironment, processEnv } from './env';
export { processEnv, baseEnvironment } from './env';
import { resolvePython, whichSync } from './python';
import { runFleetCheck } from '../fleet/run';
import type { FleetSpec } from '../fleet/targets';
import { runProcessTree } from './tree';
import { describeEnd, processVerdict } from './verdict';

/** Subjects process kinds offer to `??` conditions. */
export const PROCESS_SUBJECTS = ['exit', 'stdout', 'stderr', 'json', 'duration', 'count'] as const;

const processAttributes = {
  /** Ask the operator to type this word before the process starts (destructive steps). */
  confirm: z.string().min(1).optional(),
  /** Run-all leaves the check out (src/core/kinds.ts isDestructiveCheck); read by the run planner. */
  destructive: booleanAttribute.optional(),
  /** Never run in a parallel group (process checks never are anyway). */
  serial: booleanAttribute.optional(),
  /** Name of the input holding a file path: the script proposes that file's new content (see edit.ts). */
  proposesEdit: z.string().min(1).optional(),
  /** Run on every host of this `targets:` group instead of here (see fleet/run.ts). */
  on: z.string().regex(/^[A-Za-z0-9_][\w.-]*\??$/, 'expected a target group name (group, or group? for "there when declared, else here")').optional(),
};

const shellAttributes = z.strictObject({
  ...processAttributes,
  /** `bash` (default) or `sh`. */
  shell: z.enum(['bash', 'sh']).optional(),
});
const pythonAttributes = z.strictObject(processAttributes);

export type ShellAttributes = z.infer<typeof shellAttributes>;
export type PythonAttributes = z.infer<typeof pythonAttributes>;


/** The body lines that are not `??` conditions. */
function scriptLines(body: string): string {
  return body
    .split('\n')
    .filter((l) => !isConditionLine(l))
    .join('\n');
}

function placeholderError(body: string, hint: (env: string) => string): string | undefined {
  const names = placeholders(scriptLines(body));
  if (!names.length) return undefined;
  const list = names.map((n) => `{{${n}}} → ${hint(envName(n))}`).join(', ');
  return `{{…}} is not substituted in process checks: inputs reach the process as environment variables only. Use ${list}`;
}

function conditionErrors(body: string): string | undefined {
  // Lines with {{input}} are checked when the check runs, after substitution.
  const lines = body.split('\n').filter((l) => isConditionLine(l) && !placeholders(l).length);
  if (!lines.length) return undefined;
  const parsed = parseConditions(lines.join('\n'), { subjects: PROCESS_SUBJECTS });
  return parsed.errors.length ? `invalid condition: ${parsed.errors.join('; ')}` : undefined;
}

/**
 * The target group a check runs on: `on=group`, or `on=group?` — that group when the front matter
 * declares it, else this machine (undefined).
 */
function fleetGroupOf(on: string | undefined, ctx: CheckContext): string | undefined {
  if (!on) return undefined;
  if (!on.endsWith('?')) return on;
  const group = on.slice(0, -1);
  const spec = ctx.services['fleet'] as FleetSpec | undefined;
  return spec && !spec.error && spec.targets[group] ? group : undefined;
}

interface Launch {
  /** What runs the script on a fleet host (`on=`): the host's bash or python. */
  readonly remote: 'bash' | 'python';
  readonly command: string;
  readonly args: (file: string) => string[];
  readonly fileName: string;
  readonly banner?: string;
  readonly data?: Record<string, unknown>;
  readonly extraEnv?: Record<string, string>;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

export { reasonFromOutput, verdictForExit } from './verdict';

function tail(text: string, lines = 40): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? ['…', ...all.slice(-lines)] : all).join('\n');
}

async function runProcessCheck(inv: CheckInvocation<ShellAttributes | PythonAttributes>, ctx: CheckContext, launch: Launch): Promise<CheckResult> {
  const hasConditions = inv.body.split('\n').some(isConditionLine);
  let conditions: Condition[] = [];
  let script = inv.body.replace(/\r\n?/g, '\n');
  if (hasConditions) {
    const parsed = parseConditions(script, { subjects: PROCESS_SUBJECTS, inputs: ctx.inputs });
    if (parsed.errors.length) return { verdict: 'error', reason: `invalid condition: ${parsed.errors[0]}`, next: 'fix the ?? line' };
    conditions = parsed.conditions;
    script = parsed.rest;
  }

  if (!(await isDirectory(ctx.cwd))) {
    return { verdict: 'error', reason: `the working folder ${ctx.cwd} does not exist`, next: 'open the workspace folder the runbook belongs to (or pass --cwd)' };
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'runbook-check-'));
  try {
    const file = path.join(dir, launch.fileName);
    await writeFile(file, script.endsWith('\n') ? script : script + '\n', { mode: 0o600 });
    const proposal = path.join(dir, 'proposed-edit');
    const { env, skipped, names } = processEnv(ctx, {
      ...launch.extraEnv,
      RUNBOOK_CHECK_ID: inv.id,
      ...(inv.attributes.proposesEdit ? { RUNBOOK_PROPOSED_EDIT: proposal } : {}),
    });
    if (launch.banner) ctx.emit({ stream: 'info', text: launch.banner + '\n' });
    if (skipped.length) ctx.emit({ stream: 'info', text: `not passed as environment variables: ${skipped.join(', ')} (give these inputs an explicit env: name)\n` });

    if (inv.attributes.confirm) {
      const vars = Object.entries(names)
        .filter(([, name]) => script.includes(name))
        .map(([input, name]) => `${name}=${ctx.inputs[input]}`);
      const preview = ctx.mask(`${inv.label ? inv.label + '\n\n' : ''}${script.trim()}\n${vars.length ? '\nwith ' + vars.join('\n     ') : ''}`);
      const ok = await untilAborted(ctx.ui.typedConfirmation(preview, inv.attributes.confirm), ctx.signal);
      if (!ok) return { verdict: 'fail', reason: `not confirmed (type "${inv.attributes.confirm}" to go ahead), so nothing ran`, next: 'run the check again and confirm when ready' };
    }

    const fleetGroup = fleetGroupOf(inv.attributes.on, ctx);
    if (fleetGroup) {
      if (inv.attributes.proposesEdit) return { verdict: 'error', reason: 'proposesEdit cannot be combined with on=: an edit is proposed for one file here', next: 'remove on= or proposesEdit' };
      const spec = ctx.services['fleet'] as FleetSpec | undefined;
      if (!spec) return { verdict: 'error', reason: `on=${fleetGroup}, but the front matter declares no targets:`, next: 'declare the group under targets: in the front matter (see docs/fleet.md)' };
      // The remote command gets only the inputs its script names (a secret the script does not use
      // never reaches the hosts), under the names local processes get.
      const remoteEnv: Record<string, string> = {};
      for (const [input, name] of Object.entries(names)) if (script.includes(name)) remoteEnv[name] = ctx.inputs[input]!;
      return await runFleetCheck({ group: fleetGroup, spec, script, interpreter: launch.remote, env: remoteEnv, conditions, localEnv: process.env }, ctx);
    }

    const started = ctx.now();
    const outcome = await runProcessTree({
      command: launch.command,
      args: launch.args(file),
      cwd: ctx.cwd,
      env,
      signal: ctx.signal,
      onOutput: (stream, text) => ctx.emit({ stream, text }),
    });
    const durationMs = Math.max(0, ctx.now() - started);
    if (outcome.aborted) {
      // The whole tree is gone; the engine turns the abort reason into "timed out" / "cancelled".
      throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('cancelled');
    }

    const data: Record<string, unknown> = { exitCode: outcome.exitCode, durationMs, ...launch.data };
    if (outcome.exitSignal) data.exitSignal = outcome.exitSignal;
    const details = [
      `**${describeEnd(outcome)}** in ${formatDuration(durationMs)}${launch.banner ? ` — ${launch.banner}` : ''}`,
      outcome.stdout.trim() ? '\nstdout:\n```\n' + tail(outcome.stdout) + '\n```' : '',
      outcome.stderr.trim() ? '\nstderr:\n```\n' + tail(outcome.stderr) + '\n```' : '',
    ].join('\n');
    const { verdict, reason, next: nextStep, conditions: verdicts } = processVerdict(outcome, conditions, durationMs);

    if (verdict === 'pass' && inv.attributes.proposesEdit) {
      const edit = await applyProposedEdit(proposal, inv.attributes.proposesEdit, ctx);
      return { ...edit, details: [edit.details, details].filter(Boolean).join('\n\n'), data: { ...data, ...edit.data }, conditions: verdicts };
    }
    return { verdict, reason, next: nextStep, conditions: verdicts, details, data };
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

export const shellKind: CheckKind<ShellAttributes> = {
  name: 'shell',
  aliases: ['sh', 'bash'],
  description: 'Runs the body as a bash script in the workspace folder; exit 0 pass, 1 fail, 2 warn, or ?? conditions.',
  attributes: shellAttributes,
  runsProcesses: true,
  defaultTimeoutMs: 60_000,
  validate(body) {
    return placeholderError(body, (n) => `$${n}`) ?? conditionErrors(body);
  },
  async run(inv, ctx) {
    const wanted = inv.attributes.shell ?? 'bash';
    const shell = whichSync(wanted) ?? (wanted === 'bash' ? whichSync('sh') : undefined);
    if (!shell) return { verdict: 'error', reason: `${wanted} was not found on PATH`, next: `install ${wanted} or set shell=sh` };
    return runProcessCheck(inv, ctx, {
      remote: 'bash',
      command: shell,
      args: (file) => [file],
      fileName: 'check.sh',
      data: { shell },
    });
  },
};

export const pythonKind: CheckKind<PythonAttributes> = {
  name: 'python',
  aliases: ['py'],
  description: 'Runs the body with the selected Python interpreter in the workspace folder; exit 0 pass, 1 fail, 2 warn, or ?? conditions.',
  attributes: pythonAttributes,
  runsProcesses: true,
  defaultTimeoutMs: 60_000,
  validate(body) {
    return placeholderError(body, (n) => `os.environ["${n}"]`) ?? conditionErrors(body);
  },
  async run(inv, ctx) {
    // On fleet hosts the host's own python runs the script: no local interpreter is needed.
    if (fleetGroupOf(inv.attributes.on, ctx)) return runProcessCheck(inv, ctx, { remote: 'python', command: '', args: () => [], fileName: 'check.py' });
    // The interpreter probe (`--version`) runs with the same allow-listed base as checks: a shim
    // (pyenv, asdf) is a shell script that would otherwise source BASH_ENV from the environment.
    const py = await resolvePython(ctx.services, baseEnvironment());
    if ('error' in py) return { verdict: 'error', reason: py.error, next: 'select an interpreter with "Python: Select Interpreter", or put python3 on PATH' };
    const banner = `python: ${py.path}${py.version ? ` (Python ${py.version})` : ''}, chosen by ${py.source}`;
    return runProcessCheck(inv, ctx, {
      remote: 'python',
      command: py.path,
      args: (file) => ['-u', file],
      fileName: 'check.py',
      banner,
      data: { interpreter: py.path, interpreterSource: py.source, pythonVersion: py.version },
      extraEnv: { PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
    });
  },
};

export { inputEnvNamesOf } from '../plan/inputs';
