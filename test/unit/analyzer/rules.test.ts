/**
 * The rules list (src/core/analyzer/rules/index.ts) is the one truth about the analyzer's rules:
 * every rule module in the folder is registered once, ids and names are unique, each rule has its
 * metadata and docs page, and what the VS Code layer (settings, CodeLens titles, docs links) and the
 * CLI report is exactly that list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RULES, RULE_IDS, RULE_LIST, RULES, parseRuleId, parseRuleList, ruleDocPath, ruleInfo } from '../../../src/core/analyzer/rules';
import { analyzeCommand } from '../../../src/cli/commands/analyze';
import { analyze, ALL_RULES } from './helpers';
import { tempDir } from '../../support/tempDir';

const root = join(__dirname, '..', '..', '..');
const rulesDir = join(root, 'src', 'core', 'analyzer', 'rules');

test('every rule module in rules/ is registered once, under the id it is named after', async () => {
  const files = readdirSync(rulesDir).filter((f) => /^ENG\d{3}\.ts$/.test(f)).sort();
  assert.ok(files.length >= 8, files.join(', '));
  assert.deepEqual(files.map((f) => f.replace(/\.ts$/, '')), [...RULE_IDS].sort());
  for (const f of files) {
    const id = f.replace(/\.ts$/, '');
    const mod = (await import(join(rulesDir, f))) as Record<string, { meta?: { id?: string } }>;
    assert.equal(mod[id]?.meta?.id, id, `${f} exports ${id} with meta.id ${id}`);
    assert.ok(RULE_LIST.some((r) => r === mod[id]), `${id} is the registered module`);
  }
  assert.equal(new Set(RULE_IDS).size, RULE_IDS.length, 'ids unique');
  assert.equal(new Set(RULES.map((r) => r.name)).size, RULES.length, 'names unique');
  assert.deepEqual(RULES, RULE_LIST.map((r) => r.meta));
});

test('each rule has its metadata, a matcher and a docs page that names it', () => {
  for (const r of RULE_LIST) {
    const m = r.meta;
    assert.match(m.id, /^ENG\d{3}$/);
    assert.match(m.name, /^[a-z0-9]+(?:[-.][a-z0-9]+)*$/, `${m.id} name`);
    assert.ok(m.title.trim() && m.summary.trim(), `${m.id} title and summary`);
    assert.ok(['error', 'warning', 'information'].includes(m.severity));
    assert.ok(r.calls || r.after, `${m.id} has a matcher`);
    assert.equal(ruleDocPath(m.id), m.docs);
    assert.equal(ruleInfo(m.id), m);
    assert.equal(parseRuleId(m.name), m.id);
    assert.equal(parseRuleId(m.id.toLowerCase()), m.id);
    const page = join(root, m.docs);
    assert.ok(existsSync(page), `${m.docs} exists`);
    const heading = readFileSync(page, 'utf8').split('\n', 1)[0]!;
    const severity = m.severity[0]!.toUpperCase() + m.severity.slice(1);
    assert.ok(heading.startsWith(`# ${m.id} \`${m.name}\` (${severity}`), `${m.docs}: ${heading}`);
    assert.equal(heading.includes('off by default'), !m.enabledByDefault, `${m.docs}: default`);
  }
  const index = readFileSync(join(root, 'docs', 'rules', 'index.md'), 'utf8');
  const rows = index.split('\n').filter((l) => l.startsWith('| [ENG')).map((l) => l.slice(3, 9));
  assert.deepEqual(rows, [...RULE_IDS], 'docs/rules/index.md has one row per rule, in order');
  assert.deepEqual(parseRuleList(RULES.map((r) => r.name).join(',')), [...RULE_IDS]);
});

test('the VS Code settings are exactly the rules list, with the same defaults', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default?: unknown; markdownDescription?: string }> } | { properties: Record<string, { default?: unknown; markdownDescription?: string }> }[] } };
  const configs = Array.isArray(pkg.contributes.configuration) ? pkg.contributes.configuration : [pkg.contributes.configuration];
  const props = Object.assign({}, ...configs.map((c) => c.properties)) as Record<string, { default?: unknown; markdownDescription?: string }>;
  const prefix = 'runbook.analysis.rules.';
  const keys = Object.keys(props).filter((k) => k.startsWith(prefix));
  assert.deepEqual(keys.map((k) => k.slice(prefix.length)), [...RULE_IDS]);
  for (const r of RULES) {
    assert.equal(props[prefix + r.id]!.default, r.enabledByDefault, `${r.id} default`);
    assert.ok(props[prefix + r.id]!.markdownDescription?.includes(`\`${r.name}\``), `${r.id} setting names ${r.name}`);
  }
  assert.deepEqual([...DEFAULT_RULES], RULES.filter((r) => r.enabledByDefault).map((r) => r.id));
});

/** One file in which every rule finds something (with ENG006 against engramia 0.6.0). */
const EVERY_RULE = `from agents import Agent, Runner
from engramia import Memory
from engramia.sdk.openai_agents import engramia_instructions
from mystuff import MyHooks

memory = Memory()
a = Agent(name="a", instructions="static")
b = Agent(name="b", instructions=engramia_instructions(memory, base="x"))
tool = a.as_tool(tool_name="t", tool_description="d")
runner = Runner(hooks=MyHooks())
Runner.run_sync(a, "hi")
Runner.run_sync(b, "hi", hooks=MyHooks())
memory.learn(task="t", code="c", eval_score=1.0, on_duplicate="skip")
`;

test('the analyzer reports exactly the rules of the list, with their metadata', async () => {
  const r = await analyze(EVERY_RULE, { ...ALL_RULES, engramiaVersion: '0.6.0' });
  assert.deepEqual([...new Set(r.findings.map((f) => f.rule))].sort(), [...RULE_IDS]);
  for (const f of r.findings) {
    const m = ruleInfo(f.rule);
    assert.equal(f.name, m.name);
    assert.equal(f.severity, m.severity);
  }
  // each rule alone reports only itself
  for (const id of RULE_IDS) {
    const one = await analyze(EVERY_RULE, { rules: [id], engramiaVersion: '0.6.0' });
    assert.ok(one.findings.length > 0 && one.findings.every((f) => f.rule === id), `${id} alone: ${one.findings.map((f) => f.rule).join(',')}`);
  }
});

test('the CLI reports exactly the rules of the list (--rules with every id), and rejects an id outside it', async () => {
  const dir = tempDir('eng-rules');
  try {
    writeFileSync(join(dir, 'app.py'), EVERY_RULE);
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), env: {}, cwd: dir };
    const code = await analyzeCommand.run([dir, '--json', '--rules', RULES.map((r) => r.name).join(','), '--engramia-version', '0.6.0'], io);
    assert.equal(code, 1, err);
    const items = JSON.parse(out) as { rule: string; severity: string }[];
    assert.deepEqual([...new Set(items.map((i) => i.rule))].sort(), [...RULE_IDS]);
    for (const i of items) assert.equal(i.severity, ruleInfo(i.rule as (typeof RULE_IDS)[number]).severity);
    await assert.rejects(analyzeCommand.run([dir, '--rules', 'ENG999'], io), /unknown rule "ENG999"/);
    for (const id of DEFAULT_RULES) assert.ok(analyzeCommand.usage.includes(id), `usage names default ${id}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
