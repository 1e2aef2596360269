/**
 * Entry point the real VS Code extension host loads (extensionTestsPath): runs every bundled
 * `*.test.js` suite in this folder with mocha (TDD UI) and writes the counts to
 * $RUNBOOK_TEST_RESULTS so that the test script can print its closing line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTempDirs } from '../support/tempDir';

export function run(): Promise<void> {
  const m = require('mocha');
  const Mocha = m.default ?? m;
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 120_000, reporter: 'spec' });
  const grep = process.env.RUNBOOK_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const f of fs.readdirSync(__dirname).sort()) if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    const failures: { title: string; error: string }[] = [];
    let passed = 0;
    const runner = mocha.run((failed: number) => {
      // The extension host is stopped, not exited, so remove the suites' temporary folders now.
      removeTempDirs();
      const out = process.env.RUNBOOK_TEST_RESULTS;
      if (out) fs.writeFileSync(out, JSON.stringify({ passed, failed: failures.length, failures }, null, 2));
      if (failed > 0) reject(new Error(`${failed} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', () => passed++);
    runner.on('fail', (t: { fullTitle(): string }, err: Error) => failures.push({ title: t.fullTitle(), error: String(err?.stack ?? err) }));
  });
}
