/**
 * `runbook analyze PATH... [--json] [--rules ENG001,ENG002] [--engramia-version X]`
 * Prints agent-code findings (`file:line:column RULE message`), exit 1 when any remain.
 */
import { stat, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { UsageError, type CliCommand, type CliIo } from '../io';
import { parseCommandArgs, type OptionSpecs } from '../args';
import { DEFAULT_RULES, RULE_IDS, parseRuleList, type RuleId } from '../../core/analyzer/rules';
import { analyzeFileSafely, scanWorkspace, type WorkspaceFinding } from '../../core/analyzer/workspace';
import { workspaceHooksClasses } from '../../core/analyzer/hooksClasses';
import { loadPythonParser } from '../../core/analyzer/parser';
import { defaultWorkerCount } from '../../core/analyzer/pool';
import { findInstalledVersion } from '../../core/analyzer/engramiaVersion';
import { mayContainAgentCode } from '../../core/analyzer/document';

const usage = `Usage: runbook analyze PATH... [--json] [--rules ENG001,ENG002] [--engramia-version X] [--memory-variable NAME]

Analyses Python agent code (OpenAI Agents SDK + Engramia) in the given files or folders.
Folders are scanned for *.py and *.ipynb (virtual environments, node_modules, .git skipped), on
worker threads when large. Nothing is cached and nothing is written: every run analyses every file.

Options:
  --json                 print the findings as a JSON array
  --rules LIST           comma list of rule ids or names (default: ${DEFAULT_RULES.join(',')}; ENG003 is off by default)
  --engramia-version X   the installed engramia version for ENG006 (default: read from the installed
                         package metadata of $RUNBOOK_PYTHON or python3; nothing is imported)
  --memory-variable NAME the memory name fixes would use (default: memory)

Exit codes: 0 no findings (or no Python files), 1 findings remain, 2 bad usage or a file that could
not be read or analysed (its findings are unknown).`;

interface Args {
  paths: string[];
  json: boolean;
  rules: RuleId[];
  engramiaVersion?: string;
  memoryVariable?: string;
}

const options = {
  json: { type: 'boolean' },
  rules: { type: 'string' },
  'engramia-version': { type: 'string' },
  'memory-variable': { type: 'string' },
} as const satisfies OptionSpecs;

function parseAnalyzeArgs(args: readonly string[]): Args {
  const { values, positionals } = parseCommandArgs(args, options);
  let rules: RuleId[] = [...DEFAULT_RULES];
  if (values.rules !== undefined) {
    try {
      rules = parseRuleList(values.rules);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (!rules.length) throw new UsageError('--rules lists no rule');
  }
  if (!positionals.length) throw new UsageError('give at least one file or folder');
  return {
    paths: positionals,
    json: !!values.json,
    rules,
    ...(values['engramia-version'] !== undefined ? { engramiaVersion: values['engramia-version'] } : {}),
    ...(values['memory-variable'] !== undefined ? { memoryVariable: values['memory-variable'] } : {}),
  };
}

export const analyzeCommand: CliCommand<Args> = {
  name: 'analyze',
  summary: `Find OpenAI Agents SDK code missing the Engramia wiring (rules ${RULE_IDS[0]}–${RULE_IDS[RULE_IDS.length - 1]})`,
  usage,
  options,
  parse: parseAnalyzeArgs,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const args = parseAnalyzeArgs(argv);
    // read from installed package metadata; nothing from the analysed folders is imported or run
    const analysed = args.paths.map((p) => (isAbsolute(p) ? p : join(io.cwd, p)));
    const engramiaVersion = args.engramiaVersion
      ?? (await findInstalledVersion('engramia', { python: io.env.RUNBOOK_PYTHON ?? 'python3', workspace: analysed, env: io.env, timeoutMs: 5000 }))?.version;
    const options = { rules: args.rules, ...(engramiaVersion ? { engramiaVersion } : {}), ...(args.memoryVariable ? { memoryVariable: args.memoryVariable } : {}) };
    const py = await loadPythonParser();
    const findings: WorkspaceFinding[] = [];
    let pythonFiles = 0;
    let notAnalysed = 0;
    for (const p of args.paths) {
      const abs = isAbsolute(p) ? p : join(io.cwd, p);
      const st = await stat(abs).catch(() => undefined);
      if (!st) {
        io.stderr(`runbook analyze: ${p}: no such file or folder\n`);
        return 2;
      }
      const shown = (f: string) => relative(io.cwd, f).split(sep).join('/') || '.';
      if (st.isDirectory()) {
        // worker threads for large folders; no cache: a read-only command writes nothing to disk
        // ENG008 resolves `hooks=H(...)` against the folder's own run-hooks classes (read and parsed, never run)
        const hooksClasses = options.rules?.includes('ENG008') ? await workspaceHooksClasses(abs, py) : [];
        const result = await scanWorkspace(abs, { ...options, ...(hooksClasses.length ? { workspaceHooksClasses: hooksClasses } : {}), parser: py, workers: defaultWorkerCount() });
        pythonFiles += result.filesFound;
        notAnalysed += result.errors.length;
        for (const e of result.errors) io.stderr(`runbook analyze: ${shown(join(abs, e.file))}: ${e.error}\n`);
        findings.push(...result.findings.map((f) => ({ ...f, file: shown(f.absolutePath) })));
      } else {
        pythonFiles++;
        let text: string;
        try {
          text = await readFile(abs, 'utf8');
        } catch (err) {
          notAnalysed++;
          io.stderr(`runbook analyze: ${shown(abs)}: not analysed: ${err instanceof Error ? err.message : String(err)}\n`);
          continue;
        }
        if (!mayContainAgentCode(text)) continue;
        const r = analyzeFileSafely(py, shown(abs), abs, text, options);
        if ('error' in r) {
          notAnalysed++;
          io.stderr(`runbook analyze: ${shown(abs)}: ${r.error}\n`);
        } else findings.push(...r.findings);
      }
    }
    if (!pythonFiles) {
      if (args.json) io.stdout('[]\n');
      io.stderr('no Python files found\n');
      return 0;
    }
    if (args.json) {
      io.stdout(JSON.stringify(findings.map(({ absolutePath: _a, ...f }) => f), null, 2) + '\n');
    } else {
      for (const f of findings) io.stdout(`${f.file}${f.cell !== undefined ? `#cell${f.cell + 1}` : ''}:${f.line}:${f.column} ${f.rule} ${f.message}\n`);
      const counted = findings.length ? `${findings.length} finding${findings.length === 1 ? '' : 's'}` : notAnalysed ? 'no findings in the files analysed' : 'no findings';
      io.stderr(`${counted}${notAnalysed ? `; ${notAnalysed} file${notAnalysed === 1 ? '' : 's'} not analysed` : ''}\n`);
    }
    // a file that could not be analysed may hide findings: never report that as a clean result
    return notAnalysed ? 2 : findings.length ? 1 : 0;
  },
};
