import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, parser, pyCompiles, ALL_RULES } from './helpers';
import { applyTextEdits, LineTable, mergeEdits } from '../../../src/core/analyzer/text';
import { analyzeCells, analyzeText, IncrementalDocument, pythonOfCell } from '../../../src/core/analyzer/document';
import { parseDirectives } from '../../../src/core/analyzer/analyze';
import { parseRuleList, versionLessThan } from '../../../src/core/analyzer/rules';

test('the grammar is ABI 15 (tree-sitter-python 0.25.0 on web-tree-sitter 0.27.1)', async () => {
  const py = await parser();
  assert.equal(py.language.abiVersion, 15);
});

test('the parser is loaded once and shared', async () => {
  const { loadPythonParser } = await import('../../../src/core/analyzer/parser');
  assert.equal(await loadPythonParser(), await loadPythonParser());
});

test('positions are UTF-16 code units', async () => {
  const src = 'from agents import Runner\ns = "é😀"; Runner.run_sync(a, "x")\n';
  const r = await analyze(src);
  assert.equal(r.findings.length, 1);
  const f = r.findings[0]!;
  assert.equal(src.slice(f.range.startOffset, f.range.endOffset), 'Runner.run_sync');
  assert.deepEqual(f.range.start, { line: 1, character: src.split('\n')[1]!.indexOf('Runner') });
  const fixed = applyTextEdits(src, f.fix!.edits);
  assert.ok(fixed.includes('s = "é😀"; Runner.run_sync(a, "x", hooks=EngramiaAgentsHooks(memory))'));
});

test('the memory variable bound in the file is reused, else the configured default', async () => {
  const withMem = await analyze('from agents import Runner\nfrom engramia import Memory\nmem = Memory(embeddings=e, storage=s)\nRunner.run_sync(a, x)\n');
  assert.match(withMem.findings[0]!.fix!.title, /EngramiaAgentsHooks\(mem\)/);
  const engramiaModule = await analyze('import engramia\nfrom agents import Runner\nbrain = engramia.Memory(embeddings=e, storage=s)\nRunner.run_sync(a, x)\n');
  assert.equal(engramiaModule.memoryVariable, 'brain');
  const configured = await analyze('from agents import Runner\nRunner.run_sync(a, x)\n', { memoryVariable: 'shared_memory' });
  assert.ok(applyTextEdits('from agents import Runner\nRunner.run_sync(a, x)\n', configured.findings[0]!.fix!.edits).includes('hooks=EngramiaAgentsHooks(shared_memory)'));
});

/** The class and memory binding the ENG001 fix adds after a module's imports (no hooks class, no memory in the file). */
const PRELUDE = '\n\nclass EngramiaAgentsHooks(EngramiaRunHooks, RunHooks):\n    """EngramiaRunHooks as an agents.RunHooks: the Runner accepts only RunHooks instances."""\n\n\nmemory = Memory(embeddings=None, storage=JSONStorage(path="./engramia_data"))\n';

test('import insertion: merged into existing imports (agents, engramia), after the docstring and __future__, beside a lazy import', async () => {
  const existing = 'from agents import Runner\nfrom engramia.sdk.openai_agents import engramia_instructions\n\nRunner.run_sync(a, x)\n';
  let r = await analyze(existing);
  assert.equal(applyTextEdits(existing, r.findings[0]!.fix!.edits), 'from agents import Runner, RunHooks\nfrom engramia.sdk.openai_agents import engramia_instructions, EngramiaRunHooks\nfrom engramia import Memory\nfrom engramia.providers import JSONStorage\n' + PRELUDE + '\nRunner.run_sync(a, x, hooks=EngramiaAgentsHooks(memory))\n');

  const parenthesised = 'from agents import Runner\nfrom engramia.sdk.openai_agents import (\n    engramia_instructions,\n)\n\nRunner.run_sync(a, x)\n';
  r = await analyze(parenthesised);
  const p = applyTextEdits(parenthesised, r.findings[0]!.fix!.edits);
  assert.ok(p.includes('import (\n    engramia_instructions,\n    EngramiaRunHooks,\n)'), p);
  assert.equal(pyCompiles(p), true);

  const future = '"""Doc."""\nfrom __future__ import annotations\nimport agents\n\nagents.Runner.run_sync(a, x)\n';
  r = await analyze(future);
  assert.equal(applyTextEdits(future, r.findings[0]!.fix!.edits), '"""Doc."""\nfrom __future__ import annotations\nimport agents\nfrom engramia import Memory\nfrom engramia.providers import JSONStorage\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\n' + PRELUDE.replace('RunHooks):', 'agents.RunHooks):') + '\nagents.Runner.run_sync(a, x, hooks=EngramiaAgentsHooks(memory))\n');

  const lazyOnly = 'def f(a, x):\n    from agents import Runner\n    return Runner.run_sync(a, x)\n';
  r = await analyze(lazyOnly);
  assert.equal(applyTextEdits(lazyOnly, r.findings[0]!.fix!.edits), 'def f(a, x):\n    from agents import Runner, RunHooks\n    from engramia import Memory\n    from engramia.providers import JSONStorage\n    from engramia.sdk.openai_agents import EngramiaRunHooks\n    class EngramiaAgentsHooks(EngramiaRunHooks, RunHooks):\n        """EngramiaRunHooks as an agents.RunHooks: the Runner accepts only RunHooks instances."""\n    memory = Memory(embeddings=None, storage=JSONStorage(path="./engramia_data"))\n    return Runner.run_sync(a, x, hooks=EngramiaAgentsHooks(memory))\n');

  const present = 'from agents import Runner, RunHooks\nfrom engramia import Memory\nfrom engramia.providers import JSONStorage\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\nmemory = Memory(embeddings=None, storage=JSONStorage(path="d"))\nRunner.run_sync(a, x)\n';
  r = await analyze(present);
  assert.equal(r.findings[0]!.fix!.edits.length, 2, 'no import edit when every name is imported: the class and the keyword only');
});

test('CRLF files keep CRLF in inserted lines', async () => {
  const src = 'from agents import Runner\r\n\r\nRunner.run_sync(\r\n    a,\r\n    x,\r\n)\r\n';
  const r = await analyze(src);
  const fixed = applyTextEdits(src, r.findings[0]!.fix!.edits);
  assert.equal(fixed, ('from agents import Runner, RunHooks\nfrom engramia import Memory\nfrom engramia.providers import JSONStorage\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\n' + PRELUDE + '\nRunner.run_sync(\n    a,\n    x,\n    hooks=EngramiaAgentsHooks(memory),\n)\n').replace(/\n/g, '\r\n'));
});

test('fix-all merges edits: one import edit per module, the class and the memory once, hooks and context on one call', async () => {
  const src = [
    'from agents import Agent, Runner',
    'from engramia.sdk.openai_agents import engramia_instructions',
    'a = Agent(name="a", instructions="static")',
    'b = Agent(name="b", instructions=engramia_instructions(memory, base="x"))',
    'Runner.run_sync(a, "t1")',
    'Runner.run_sync(b, question, hooks=None)',
    'Runner.run_sync(',
    '    b,',
    '    question,',
    ')',
    '',
  ].join('\n');
  const r = await analyze(src, ALL_RULES);
  assert.deepEqual(r.findings.map((f) => f.rule), ['ENG002', 'ENG001', 'ENG001', 'ENG004', 'ENG001', 'ENG004']);
  const edits = r.fixAll();
  assert.equal(edits.filter((e) => e.newText.includes('class EngramiaAgentsHooks')).length, 1);
  assert.equal(edits.filter((e) => e.newText.includes('memory = Memory(')).length, 1);
  const fixed = applyTextEdits(src, edits);
  assert.equal(fixed, [
    'from agents import Agent, Runner, RunHooks',
    'from engramia.sdk.openai_agents import engramia_instructions, EngramiaRunHooks',
    'from engramia import Memory',
    'from engramia.providers import JSONStorage',
    '',
    '',
    'class EngramiaAgentsHooks(EngramiaRunHooks, RunHooks):',
    '    """EngramiaRunHooks as an agents.RunHooks: the Runner accepts only RunHooks instances."""',
    '',
    '',
    'memory = Memory(embeddings=None, storage=JSONStorage(path="./engramia_data"))',
    '',
    '',
    'a = Agent(name="a", instructions=engramia_instructions(memory, base="static"))',
    'b = Agent(name="b", instructions=engramia_instructions(memory, base="x"))',
    'Runner.run_sync(a, "t1", hooks=EngramiaAgentsHooks(memory), context="t1")',
    'Runner.run_sync(b, question, hooks=EngramiaAgentsHooks(memory), context=question)',
    'Runner.run_sync(',
    '    b,',
    '    question,',
    '    hooks=EngramiaAgentsHooks(memory),',
    '    context=question,',
    ')',
    '',
  ].join('\n'));
  assert.equal(pyCompiles(fixed), true);
  assert.deepEqual((await analyze(fixed, ALL_RULES)).findings, []);
});

test('suppression edit: appends to an existing ignore, goes after # noqa, own line above a multi-line string', async () => {
  let src = 'from agents import Agent, Runner\nRunner.run_sync(Agent(name="n", instructions="s"), x)  # engramia: ignore[ENG002]\n';
  let r = await analyze(src);
  assert.deepEqual(r.findings.map((f) => f.rule), ['ENG001']);
  let s = applyTextEdits(src, r.findings[0]!.suppress.edits);
  assert.ok(s.includes('# engramia: ignore[ENG002, ENG001]'), s);
  assert.deepEqual((await analyze(s)).findings, []);

  src = 'from agents import Runner\nRunner.run_sync(a, x)  # noqa: E501\n';
  r = await analyze(src);
  s = applyTextEdits(src, r.findings[0]!.suppress.edits);
  assert.equal(s, 'from agents import Runner\nRunner.run_sync(a, x)  # noqa: E501  # engramia: ignore[ENG001]\n');

  src = 'from agents import Agent\nx = Agent(name="m", instructions="""one\ntwo""")\n';
  r = await analyze(src);
  s = applyTextEdits(src, r.findings[0]!.suppress.edits);
  assert.equal(s, 'from agents import Agent\n# engramia: ignore[ENG002]\nx = Agent(name="m", instructions="""one\ntwo""")\n');
  assert.deepEqual((await analyze(s)).findings, []);

  // comment after the last line of a multi-line instructions value (Ruff's convention)
  src = 'from agents import Agent\nx = Agent(name="m", instructions="""one\ntwo""")  # engramia: ignore[ENG002]\n';
  assert.deepEqual((await analyze(src)).findings, []);
});

test('directives: names, lists, file-ignore only in the leading comment block, noqa behind an option', async () => {
  assert.deepEqual(parseDirectives('# engramia: ignore[ENG001, static-agent-instructions]').map((d) => [d.kind, [...(d.rules as Set<string>)]]), [['ignore', ['ENG001', 'ENG002']]]);
  assert.deepEqual(parseDirectives('# engramia: ignore').map((d) => d.rules), ['all']);
  assert.deepEqual(parseDirectives('# noqa: ENG001'), []);
  assert.equal(parseDirectives('# noqa: ENG001, E501', true).length, 1);
  const late = 'from agents import Runner\n# engramia: file-ignore\nRunner.run_sync(a, x)\n';
  assert.equal((await analyze(late)).findings.length, 1, 'file-ignore after code does not count');
  const early = '#!/usr/bin/env python\n# engramia: file-ignore\nfrom agents import Runner\nRunner.run_sync(a, x)\n';
  assert.equal((await analyze(early)).findings.length, 0);
  const noqa = 'from agents import Runner\nRunner.run_sync(a, x)  # noqa: ENG001\n';
  assert.equal((await analyze(noqa)).findings.length, 1);
  assert.equal((await analyze(noqa, { noqa: true })).findings.length, 0);
});

test('error tolerance: findings before and after a broken line survive', async () => {
  const src = 'from agents import Runner\nRunner.run_sync(a, "x")\ns = "unterminated\ndef g(:\n    pass\nRunner.run_sync(b, "y")\n';
  const r = await analyze(src);
  assert.equal(r.hasSyntaxErrors, true);
  assert.ok(r.findings.length >= 1);
  assert.equal(r.findings[0]!.range.start.line, 1);
  assert.deepEqual(r.fixAll(), []);
});

test('notebook cells: bindings resolve across cells; findings and edits carry the cell', async () => {
  const py = await parser();
  const cells = ['%pip install openai-agents', 'from agents import Agent, Runner\nfrom engramia import Memory\nbrain = Memory(embeddings=e, storage=s)', 'agent = Agent(name="n", instructions="Be brief.")', 'res = Runner.run_sync(agent, "hi")'];
  const r = analyzeCells(py, cells);
  assert.deepEqual(r.findings.map((f) => [f.rule, f.cell, f.range.start.line]), [['ENG002', 2, 0], ['ENG001', 3, 0]]);
  const fix = r.findings[1]!.fix!;
  assert.deepEqual(fix.edits.map((e) => e.cell).sort(), [1, 1, 3]);
  const byCell = (edits: typeof fix.edits) => cells.map((c, i) => applyTextEdits(c, edits.filter((e) => e.cell === i)));
  const after = byCell(fix.edits);
  assert.equal(after[1], 'from agents import Agent, Runner, RunHooks\nfrom engramia import Memory\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\n\n\nclass EngramiaAgentsHooks(EngramiaRunHooks, RunHooks):\n    """EngramiaRunHooks as an agents.RunHooks: the Runner accepts only RunHooks instances."""\n\n\nbrain = Memory(embeddings=e, storage=s)');
  assert.equal(after[3], 'res = Runner.run_sync(agent, "hi", hooks=EngramiaAgentsHooks(brain))');
  // the %pip line is not Python: skipped, so the notebook has no syntax error and fix-all is offered
  assert.deepEqual(r.errorUnits, []);
  const all = byCell(r.fixAll());
  assert.equal(all[0], cells[0], 'the magic cell is left alone');
  assert.deepEqual(analyzeCells(py, all).findings, []);
  // without the import cell nothing is bound: nothing is flagged
  assert.deepEqual(analyzeCells(py, [cells[2]!, cells[3]!]).findings, []);
});

test('notebook cells that are not Python are skipped: cell magics, line magics and shell lines', async () => {
  const py = await parser();
  const cells = [
    '%%writefile app.py\nfrom agents import Agent, Runner\nRunner.run_sync(Agent(name="w", instructions="x"), "hi")\n',
    '%%bash\necho "from agents import Runner"\n',
    '!pip install openai-agents\n%load_ext autoreload\nfrom agents import Runner\nmsg = """\n%d items\n!important\n"""\n',
    'res = Runner.run_sync(agent, msg)\n',
  ];
  const r = analyzeCells(py, cells);
  assert.deepEqual(r.errorUnits, []);
  assert.deepEqual(r.findings.map((f) => [f.rule, f.cell]), [['ENG001', 3]], 'the %%writefile body is not analysed; the import after shell lines is');
  // a line inside a string is not a magic: the string is kept as written
  assert.equal(pythonOfCell(py, cells[2]!), '#pip install openai-agents\n#load_ext autoreload\nfrom agents import Runner\nmsg = """\n%d items\n!important\n"""\n');
  assert.equal(pythonOfCell(py, cells[0]!).trim(), '');
  assert.equal(pythonOfCell(py, cells[0]!).length, cells[0]!.length);
});

test('incremental document: tree.edit + re-parse gives the same findings as a fresh parse', async () => {
  const py = await parser();
  const src = 'from agents import Runner\n\nRunner.run_sync(a, "x")\n';
  const doc = new IncrementalDocument(py, src);
  assert.equal(doc.analyze().findings.length, 1);
  const at = src.indexOf('"x")') + 3;
  doc.update([{ rangeOffset: at, rangeLength: 0, text: ', hooks=h' }]);
  assert.equal(doc.source, 'from agents import Runner\n\nRunner.run_sync(a, "x", hooks=h)\n');
  assert.equal(doc.analyze().findings.length, 0);
  doc.update([{ rangeOffset: doc.source.indexOf(', hooks=h'), rangeLength: ', hooks=h'.length, text: '' }, { rangeOffset: 0, rangeLength: 0, text: '# é\n' }]);
  const f = doc.analyze().findings;
  assert.equal(f.length, 1);
  assert.equal(f[0]!.range.start.line, 3);
  doc.dispose();
});

test('text helpers: line table, merge of touching edits, conflicts dropped', () => {
  const t = new LineTable('ab\r\ncd\nef');
  assert.equal(t.eol, '\r\n');
  assert.equal(t.lineEnd(0), 2);
  assert.deepEqual(t.positionAt(5), { line: 1, character: 1 });
  assert.equal(t.lineText(2), 'ef');
  const m = mergeEdits([{ start: 2, end: 4, text: 'X' }, { start: 4, end: 4, text: 'Y' }, { start: 3, end: 5, text: 'Z' }]);
  assert.deepEqual(m, [{ start: 2, end: 4, text: 'XY' }]);
});

test('rule lists and versions', () => {
  assert.deepEqual(parseRuleList('ENG002, missing-run-hooks'), ['ENG002', 'ENG001']);
  assert.throws(() => parseRuleList('ENG999'), /unknown rule/);
  assert.equal(versionLessThan('0.6.6', '0.7.0'), true);
  assert.equal(versionLessThan('0.7.0', '0.7.0'), false);
  assert.equal(versionLessThan('0.10.1', '0.7.0'), false);
  assert.equal(versionLessThan('0.7.0rc1', '0.7.0'), false);
  assert.equal(versionLessThan('unknown', '0.7.0'), undefined);
});

test('modern syntax parses without errors (3.12 f-strings, t-strings, type aliases, PEP 695, match)', async () => {
  const src = [
    'from agents import Agent, Runner',
    'type Alias = list[int]',
    'def first[T](xs: list[T]) -> T:',
    '    return xs[0]',
    'tpl = t"hello {first([1])}"',
    'songs = {"a": 1}',
    'msg = f"Use {songs["a"]}"',
    'match msg:',
    '    case "x":',
    '        pass',
    '    case _:',
    '        agent = Agent(name="m", instructions=msg + "!")',
    'async def go():',
    '    async with ctx() as c:',
    '        await Runner.run(agent, c)',
    '',
  ].join('\n');
  const r = await analyze(src);
  assert.equal(r.hasSyntaxErrors, false);
  // `msg + "!"`: a binary + with one static operand is static (§5.2)
  assert.deepEqual(r.findings.map((f) => f.rule), ['ENG002', 'ENG001']);
});

test('import insertion after a lone __future__ import, and after leading comments', async () => {
  let src = 'from __future__ import annotations\n\ndef f(a, x):\n    from agents import Runner\n    return 1\n\nimport agents\nagents.Runner.run_sync(a, x)\n';
  let r = await analyze(src);
  let fixed = applyTextEdits(src, r.findings[0]!.fix!.edits);
  assert.ok(fixed.startsWith('from __future__ import annotations\n'), fixed);
  assert.equal(pyCompiles(fixed), true, fixed);
  src = '#!/usr/bin/env python\n# -*- coding: utf-8 -*-\ndef f(a, x):\n    import agents\n    return agents.Runner.run_sync(a, x)\n';
  r = await analyze(src);
  fixed = applyTextEdits(src, r.findings[0]!.fix!.edits);
  assert.equal(fixed, '#!/usr/bin/env python\n# -*- coding: utf-8 -*-\ndef f(a, x):\n    import agents\n    from engramia import Memory\n    from engramia.providers import JSONStorage\n    from engramia.sdk.openai_agents import EngramiaRunHooks\n    class EngramiaAgentsHooks(EngramiaRunHooks, agents.RunHooks):\n        """EngramiaRunHooks as an agents.RunHooks: the Runner accepts only RunHooks instances."""\n    memory = Memory(embeddings=None, storage=JSONStorage(path="./engramia_data"))\n    return agents.Runner.run_sync(a, x, hooks=EngramiaAgentsHooks(memory))\n');
});

test('incremental reuse after a small edit equals a fresh analysis (300 random keystrokes)', async () => {
  const py = await parser();
  const { generateAgentFile } = await import('../../../bench/analyzer');
  let text = generateAgentFile(400) + 'x = Runner.run_sync(agent_1, "q")  # trailing\n# engramia: ignore[ENG001]\nRunner.run_sync(agent_2, "q")\n';
  const doc = new IncrementalDocument(py, text);
  doc.analyze();
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const alphabet = 'abcxyz_0 RunerAgt';
  let reused = 0;
  const view = (r: ReturnType<typeof doc.analyze>) => r.findings.map((f) => ({ rule: f.rule, range: f.range, message: f.message, fix: f.fix?.edits, suppress: f.suppress.edits }));
  for (let i = 0; i < 300; i++) {
    const at = rnd(text.length);
    const del = rnd(3) === 0 && at < text.length ? 1 : 0;
    const ins = del && rnd(2) === 0 ? '' : alphabet[rnd(alphabet.length)]!;
    doc.update([{ rangeOffset: at, rangeLength: del, text: ins }]);
    text = text.slice(0, at) + ins + text.slice(at + del);
    const got = doc.analyze();
    if (doc.lastAnalysis === 'reused') reused++;
    const fresh = analyzeText(py, text);
    assert.deepEqual(view(got), view(fresh), `keystroke ${i} at ${at} (${doc.lastAnalysis})`);
    assert.deepEqual(got.fixAll(), fresh.fixAll(), `fix-all after keystroke ${i}`);
  }
  assert.ok(reused > 50, `most keystrokes reuse the previous analysis (${reused}/300)`);
  doc.dispose();
});
