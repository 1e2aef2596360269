/**
 * `runbook list <file>`: the checks of a runbook with their ids, kinds and sections (and its
 * inputs), as text or JSON. Reads only; runs nothing.
 */
import { relative, resolve } from 'node:path';
import { inputEnvName } from '../../core/plan/inputs';
import { checksOf, isExcludedFromRunAll, planRun, PlanError } from '../../core/plan/plan';
import { plainText, plural } from '../../core/runbook';
import { UsageError, type CliCommand, type CliIo } from '../io';
import { loadRunbook } from './run';
import { parseCommandArgs, type OptionSpecs } from '../args';

const usage = `Usage: runbook list <file> [--json] [--section NAME]

Lists the checks of a runbook: id, kind, section and label, plus the inputs it declares.

Options:
  --json          print JSON {runbook, inputs, checks}
  --section NAME  only this section (title or id) and its subsections

Exit codes: 0 listed, 2 bad usage or unreadable runbook.
`;

const options = {
  json: { type: 'boolean' },
  section: { type: 'string' },
} as const satisfies OptionSpecs;

interface ListArgs {
  file: string;
  json: boolean;
  section?: string;
}

function parseListArgs(args: readonly string[]): ListArgs {
  const { values, positionals: files } = parseCommandArgs(args, options);
  if (files.length !== 1) throw new UsageError(files.length ? 'one runbook at a time' : 'which runbook? (runbook list <file>)');
  return { file: files[0]!, json: !!values.json, ...(values.section !== undefined ? { section: values.section } : {}) };
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const { file: given, json, section } = parseListArgs(args);
  const file = resolve(io.cwd, given);
  const loaded = loadRunbook(file);
  if ('error' in loaded) {
    io.stderr(`runbook list: ${loaded.error}\n`);
    return 2;
  }
  const { doc } = loaded;
  let checks = checksOf(doc);
  if (section !== undefined) {
    try {
      const ids = new Set(planRun(doc, { section }).entries.map((e) => e.check.id));
      checks = checks.filter((c) => ids.has(c.id));
    } catch (e) {
      if (e instanceof PlanError) {
        io.stderr(`runbook list: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  }
  const title = doc.frontMatter?.title ?? doc.sections[0]?.title ?? given;
  const inputs = (doc.frontMatter?.inputs ?? []).map((i) => ({
    name: i.name,
    type: i.type,
    secret: i.secret,
    required: i.required,
    default: i.secret ? undefined : i.default,
    env: i.secret ? inputEnvName(i) : i.env,
    description: i.description,
  }));
  if (json) {
    io.stdout(JSON.stringify({
      runbook: { file: relative(io.cwd, file) || file, title },
      inputs,
      checks: checks.map((c) => ({
        id: c.id,
        kind: c.kind,
        section: c.sectionPath,
        label: c.label,
        excludeFromRunAll: isExcludedFromRunAll(c) || undefined,
        error: c.error,
      })),
    }, null, 2) + '\n');
    return 0;
  }
  const lines: string[] = [`${plainText(title)}: ${plural(checks.length, 'check')}`];
  const idWidth = Math.min(40, Math.max(0, ...checks.map((c) => c.id.length)));
  const kindWidth = Math.max(0, ...checks.map((c) => c.kind.length));
  let last = '\u0000';
  for (const c of checks) {
    const key = c.sectionPath.map(plainText).join(' › ');
    if (key !== last) {
      lines.push('', key || '(before the first heading)');
      last = key;
    }
    const flags = [isExcludedFromRunAll(c) ? '[not in run all]' : '', c.error ? `[error: ${c.error}]` : ''].filter(Boolean).join(' ');
    lines.push(`  ${c.id.padEnd(idWidth)}  ${c.kind.padEnd(kindWidth)}  ${plainText(c.label ?? '')}${flags ? ` ${flags}` : ''}`.trimEnd());
  }
  if (inputs.length) {
    lines.push('', 'Inputs:');
    for (const i of inputs) {
      const src = i.secret ? `secret, from $${i.env}` : i.default !== undefined ? `default ${JSON.stringify(i.default)}` : i.required ? 'required' : 'optional';
      lines.push(`  ${i.name} (${i.type}; ${src})`);
    }
  }
  io.stdout(lines.join('\n') + '\n');
  return 0;
}

export const listCommand: CliCommand<ListArgs> = {
  name: 'list',
  summary: 'List a runbook\'s checks (ids, kinds, sections) and inputs',
  usage,
  options,
  parse: parseListArgs,
  run: list,
};
