/**
 * `runbook convert GUIDE [-o OUT] [--json]`: a guide (markdown, a saved HTML page, or plain text)
 * → `<name>.runbook.md` beside it. Prints what each block became and what stayed a manual step
 * and why. Never overwrites a file unless `--force`; a guide that already is a runbook is left
 * alone. Runs nothing.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { convertGuide, GuideTooLargeError, MAX_GUIDE_CHARS, runbookNameFor, summarizeConversion, type GuideFormat } from '../../core/convert';
import { UsageError, type CliCommand, type CliIo } from '../io';
import { writeFileSafely } from '../../core/evidence/safeFile';
import { parseCommandArgs, type OptionSpecs } from '../args';

const usage = `Usage: runbook convert GUIDE [-o OUT] [--json] [options]

Converts a migration or rollback guide (markdown, a saved HTML page, or plain text) into a
runbook: curl commands become http checks, other shell commands shell checks, Python blocks
python checks, "Pass condition:" sentences ??warn conditions to review (or manual steps),
destructive commands destructive checks; variables and placeholders become inputs.

Options:
  -o, --output OUT   where to write (default: <name>.runbook.md beside the guide; "-" = stdout)
  --json             print a JSON summary {output, format, checks, inputs} instead of text
  --format F         markdown | html | text (default: from the file name and its content)
  --now ISO          the conversion time recorded in the front matter (default: now)
  --force            overwrite OUT when it exists

Exit codes: 0 converted (or already a runbook), 2 bad usage, unreadable guide, or OUT exists.
`;

const options = {
  output: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
  format: { type: 'string' },
  now: { type: 'string' },
  force: { type: 'boolean' },
} as const satisfies OptionSpecs;

interface ConvertArgs {
  guide: string;
  output?: string;
  json: boolean;
  format?: GuideFormat;
  now?: string;
  force: boolean;
}

function parseConvertArgs(args: readonly string[]): ConvertArgs {
  const { values, positionals } = parseCommandArgs(args, options);
  if (positionals.length !== 1) throw new UsageError(positionals.length ? 'one guide at a time' : 'which guide? (runbook convert GUIDE)');
  const format = values.format as GuideFormat | undefined;
  if (format !== undefined && !['markdown', 'html', 'text'].includes(format)) throw new UsageError('--format is markdown, html or text');
  return {
    guide: positionals[0]!,
    ...(values.output !== undefined ? { output: values.output } : {}),
    json: !!values.json,
    ...(format !== undefined ? { format } : {}),
    ...(values.now !== undefined ? { now: isoSeconds(parseNow(values.now)) } : {}),
    force: !!values.force,
  };
}

async function convert(args: readonly string[], io: CliIo): Promise<number> {
  const values = parseConvertArgs(args);
  const positionals = [values.guide];
  const format = values.format;
  const now = values.now ?? isoSeconds(Date.now());
  const guide = resolve(io.cwd, positionals[0]!);
  let text: string;
  try {
    if (statSync(guide).size > MAX_GUIDE_CHARS * 4) throw new GuideTooLargeError('the guide is too large');
    const bytes = readFileSync(guide);
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    const msg = err instanceof GuideTooLargeError ? err.message : err instanceof TypeError ? 'it is not UTF-8 text' : (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    io.stderr(`runbook convert: cannot read ${positionals[0]}: ${msg}\n`);
    return 2;
  }
  if (text.indexOf('\u0000') >= 0) {
    io.stderr(`runbook convert: ${positionals[0]} contains NUL bytes: it looks like a binary file\n`);
    return 2;
  }
  const toStdout = values.output === '-';
  const out = toStdout ? undefined : resolve(io.cwd, values.output ?? resolve(dirname(guide), runbookNameFor(guide)));
  // Checks link back to the guide relative to the runbook's folder.
  const source = toPosix(relative(out ? dirname(out) : io.cwd, guide)) || guide;
  let result;
  try {
    result = convertGuide(text, { source, convertedAt: now, fileName: guide, ...(format ? { format } : {}) });
  } catch (err) {
    io.stderr(`runbook convert: ${(err as Error).message}\n`);
    return 2;
  }
  const display = (p: string) => toPosix(relative(io.cwd, p)) || p;
  let written: string | undefined;
  if (toStdout) io.stdout(result.text);
  else if (result.unchanged && (!values.output || out === guide)) {
    written = undefined;
  } else {
    if (out === guide) {
      io.stderr('runbook convert: the output would replace the guide itself; choose another -o\n');
      return 2;
    }
    if (existsSync(out!) && !values.force) {
      io.stderr(`runbook convert: ${display(out!)} exists; use --force to overwrite it, or -o to write elsewhere\n`);
      return 2;
    }
    try {
      writeFileSafely(out!, result.text);
    } catch (err) {
      io.stderr(`runbook convert: ${(err as Error).message}\n`);
      return 2;
    }
    written = out;
  }
  if (values.json) {
    const json = JSON.stringify({
      guide: display(guide),
      output: written ? display(written) : toStdout ? '-' : null,
      unchanged: result.unchanged,
      format: result.format,
      title: result.title,
      checks: result.checks,
      inputs: result.inputs.map((i) => ({ name: i.name, type: i.type, secret: i.secret, env: i.env, default: i.secret ? undefined : i.default, description: i.description })),
    }, null, 2) + '\n';
    (toStdout ? io.stderr : io.stdout)(json);
    return 0;
  }
  const report = (toStdout ? io.stderr : io.stdout);
  const head = result.unchanged
    ? `${display(guide)} is already a runbook: nothing to convert${written ? ` (copied to ${display(written)})` : ''}`
    : `converted ${display(guide)} (${result.format}) → ${written ? display(written) : 'stdout'}`;
  report([head, ...(result.unchanged ? [] : summarizeConversion(result))].join('\n') + '\n');
  return 0;
}

function parseNow(text: string): number {
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`--now expects an ISO date-time (got "${text}")`);
  return t;
}

/** `2026-11-22T10:00:00Z`: an ISO date-time without milliseconds. */
function isoSeconds(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function toPosix(p: string): string {
  return sep === '\\' ? p.replace(/\\/g, '/') : p;
}

export const convertCommand: CliCommand<ConvertArgs> = {
  name: 'convert',
  summary: 'Convert a guide (markdown, HTML or text) into a runbook',
  usage,
  options,
  parse: parseConvertArgs,
  run: convert,
};
