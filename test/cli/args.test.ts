/**
 * Every `runbook` command parses its arguments the same way (src/cli/args.ts over node's
 * util.parseArgs): `--opt=value` and `--opt value` agree, `--` ends the options, a repeated option
 * keeps its last value (repeatable ones keep all), and every mistake is one line plus a pointer to
 * the command's help, exit 2 — whatever the command.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { commands } from '../../src/cli/commands';
import { runCli } from '../support/cli';

/** A positional each command accepts, and a valid value for each of its string options. */
const SAMPLES: Record<string, { positional: string; values: Record<string, string> }> = {
  run: { positional: 'x.runbook.md', values: { section: 'Health', only: 'a.b', input: 'k=v', junit: 'j.xml', evidence: 'e.jsonl', report: 'r.md', concurrency: '2', cwd: 'dir' } },
  list: { positional: 'x.runbook.md', values: { section: 'Health' } },
  analyze: { positional: 'x.py', values: { rules: 'ENG002', 'engramia-version': '0.7.0', 'memory-variable': 'mem' } },
  convert: { positional: 'g.md', values: { output: 'out.md', format: 'html', now: '2026-01-02T03:04:05Z' } },
};

const usageError = (command: string, message: string) => `runbook ${command}: ${message} (see runbook ${command} --help)\n`;

test('every command and every string option has a sample here (a new option is covered by the tests below)', () => {
  assert.deepEqual(commands.map((c) => c.name).sort(), Object.keys(SAMPLES).sort());
  for (const c of commands) {
    const strings = Object.entries(c.options).filter(([, o]) => o.type === 'string').map(([n]) => n).sort();
    assert.deepEqual(strings, Object.keys(SAMPLES[c.name]!.values).sort(), c.name);
    for (const name of Object.keys(c.options)) assert.ok(c.usage.includes(`--${name}`), `runbook ${c.name} --help documents --${name}`);
  }
});

for (const c of commands) {
  const { positional, values } = SAMPLES[c.name]!;
  const base = [positional];
  describe(`runbook ${c.name}`, () => {
    test('--opt=value and --opt value agree for every option, and the option is taken', () => {
      for (const [name, value] of Object.entries(values)) {
        const inline = c.parse([...base, `--${name}=${value}`]);
        const separate = c.parse([...base, `--${name}`, value]);
        assert.deepEqual(inline, separate, `--${name}`);
        assert.notDeepEqual(inline, c.parse(base), `--${name} changes the parsed arguments`);
        // before the positional too
        assert.deepEqual(c.parse([`--${name}`, value, positional]), separate, `--${name} before the file`);
      }
      for (const [name, o] of Object.entries(c.options)) {
        if (!o.short) continue;
        const value = values[name]!;
        assert.deepEqual(c.parse([...base, `-${o.short}`, value]), c.parse([...base, `--${name}=${value}`]), `-${o.short} value`);
        assert.deepEqual(c.parse([...base, `-${o.short}${value}`]), c.parse([...base, `--${name}=${value}`]), `-${o.short}value`);
      }
    });

    test('unknown options: one line and a pointer to --help, exit 2, nothing on stdout', async () => {
      for (const [arg, shown] of [['--bogus', '--bogus'], ['--bogus=1', '--bogus'], ['-z', '-z']] as const) {
        const r = await runCli([c.name, positional, arg]);
        assert.equal(r.code, 2, arg);
        assert.equal(r.stderr, usageError(c.name, `unknown option ${shown}`), arg);
        assert.equal(r.stdout, '');
      }
    });

    test('--json=x and every other flag given a value are refused the same way', async () => {
      const flags = Object.entries(c.options).filter(([, o]) => o.type === 'boolean').map(([n]) => n);
      assert.ok(flags.includes('json'), 'every command has --json');
      for (const flag of flags) {
        const r = await runCli([c.name, positional, `--${flag}=x`]);
        assert.equal(r.code, 2, flag);
        assert.equal(r.stderr, usageError(c.name, `--${flag} takes no value`), flag);
        assert.equal(r.stdout, '');
      }
    });

    test('an option without its value (last, empty, or followed by another option) is a usage error', async () => {
      for (const name of Object.keys(values)) {
        for (const args of [[positional, `--${name}`], [positional, `--${name}=`], [`--${name}`, '--json', positional]]) {
          const r = await runCli([c.name, ...args]);
          assert.equal(r.code, 2, args.join(' '));
          assert.equal(r.stderr, usageError(c.name, `--${name} needs a value`), args.join(' '));
        }
      }
    });

    test('"--" ends the options: what follows is a file, even when it starts with dashes', () => {
      const parsed = c.parse(['--', `--odd-${positional}`]) as Record<string, unknown>;
      assert.ok(JSON.stringify(parsed).includes(`"--odd-${positional}"`));
      let after: { json?: boolean; paths?: string[] } | undefined;
      try {
        after = c.parse([positional, '--', '--json']) as { json?: boolean };
      } catch (err) {
        assert.match((err as Error).message, /^one (runbook|guide) at a time/); // a second file, not --json
      }
      if (after) {
        assert.equal(after.json, false);
        assert.deepEqual(after.paths, [positional, '--json']);
      }
    });

    test('a repeated option keeps its last value', () => {
      for (const [name, o] of Object.entries(c.options)) {
        if (o.type !== 'string' || o.multiple) continue;
        const value = values[name]!;
        const other = name === 'concurrency' ? '3' : name === 'format' ? 'text' : name === 'rules' ? 'ENG001' : name === 'now' ? '2027-01-01T00:00:00Z' : `${value}-2`;
        assert.deepEqual(c.parse([...base, `--${name}`, value, `--${name}=${other}`]), c.parse([...base, `--${name}`, other]), `--${name}`);
      }
    });

    test('--help anywhere before "--" prints the usage (exit 0); after "--" it is a file', async () => {
      for (const args of [['--help'], [positional, '-h'], ['--bogus', '--help'], [`--${Object.keys(values)[0]}`, '--help']]) {
        const r = await runCli([c.name, ...args]);
        assert.equal(r.code, 0, args.join(' '));
        assert.equal(r.stdout, c.usage.endsWith('\n') ? c.usage : c.usage + '\n');
      }
      const after = await runCli([c.name, '--', '--help']);
      assert.notEqual(after.stdout, c.usage.endsWith('\n') ? c.usage : c.usage + '\n');
    });
  });
}

describe('runbook run: repeatable options and "last one wins" pairs', () => {
  const run = commands.find((c) => c.name === 'run')!;
  test('--only and --input collect every value, in either form', () => {
    const a = run.parse(['x.runbook.md', '--only', 'a,b', '--only=c', '--input', 'k=1', '--input=j=2', '--input', 'k=3']) as { only: string[]; inputs: Record<string, string> };
    assert.deepEqual(a.only, ['a', 'b', 'c']);
    assert.deepEqual(a.inputs, { k: '3', j: '2' });
  });
  test('--yes-manual / --skip-manual and --evidence / --no-evidence: the last one given wins', () => {
    const p = (...args: string[]) => run.parse(['x.runbook.md', ...args]) as { manual: string; evidence: unknown };
    assert.equal(p('--yes-manual').manual, 'yes');
    assert.equal(p('--yes-manual', '--skip-manual').manual, 'skip');
    assert.equal(p('--skip-manual', '--yes-manual').manual, 'yes');
    assert.equal(p().manual, 'skip');
    assert.equal(p('--evidence', 'e.jsonl', '--no-evidence').evidence, false);
    assert.equal(p('--no-evidence', '--evidence=e.jsonl').evidence, 'e.jsonl');
    assert.equal(p().evidence, undefined);
  });
  test('a value that starts with a dash is given inline', () => {
    const a = run.parse(['x.runbook.md', '--section=-odd']) as { section: string };
    assert.equal(a.section, '-odd');
    assert.throws(() => run.parse(['x.runbook.md', '--section', '-odd']), /--section needs a value/);
  });
  test('values keep their own "=" signs', () => {
    const a = run.parse(['x.runbook.md', '--input=url=http://127.0.0.1/?a=b']) as { inputs: Record<string, string> };
    assert.deepEqual(a.inputs, { url: 'http://127.0.0.1/?a=b' });
  });
});

describe('runbook convert', () => {
  test('"-o -" writes to stdout (a lone dash is a value, not an option)', () => {
    const convert = commands.find((c) => c.name === 'convert')!;
    assert.equal((convert.parse(['g.md', '-o', '-']) as { output: string }).output, '-');
  });
});
