/** Info strings, front matter, tasks, ids, sections, live-cell derivation and check listings. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  deriveRunbook, findCheck, formatInfoString, listChecks, parseFrontMatter, parseInfoString, parseRunbook,
  sectionProgress, setTaskChecked, type CellLike,
} from '../../../src/core/runbook';

test('info strings: JSON, key=value, bare, malformed', () => {
  assert.deepEqual(parseInfoString('http {"id":"x","timeout":"5s","retries":3,"on":true}'), { kind: 'http', word: 'http', attributes: { id: 'x', timeout: '5s', retries: '3', on: 'true' }, style: 'json' });
  assert.deepEqual(parseInfoString('HTTP { id=x timeout=5s title="two \\"words\\"" excludeFromRunAll }'), { kind: 'http', word: 'HTTP', attributes: { id: 'x', timeout: '5s', title: 'two "words"', excludeFromRunAll: '' }, style: 'keyValue' });
  assert.deepEqual(parseInfoString('sh{id=a}'), { kind: 'sh', word: 'sh', attributes: { id: 'a' }, style: 'keyValue' });
  assert.deepEqual(parseInfoString('python'), { kind: 'python', word: 'python', attributes: {}, style: 'none' });
  assert.deepEqual(parseInfoString(''), { kind: '', word: '', attributes: {}, style: 'none' });
  const badJson = parseInfoString('http {"id": }');
  assert.equal(badJson.kind, 'http');
  assert.match(badJson.error!, /not valid JSON/);
  assert.match(parseInfoString('http { id="open }').error!, /unterminated/);
  assert.match(parseInfoString('http { id=x } trailing').error!, /unexpected text/);
  assert.match(parseInfoString('http id=x').error!, /inside \{ \}/);
  assert.equal(parseInfoString('diff some words').error, undefined);
});

test('formatInfoString: both styles, quoting, round-trips through the parser', () => {
  const attrs = { id: 'x', title: 'two words', q: 'say "hi"', empty: '' };
  assert.equal(formatInfoString('http', attrs, 'keyValue'), 'http { id=x title="two words" q="say \\"hi\\"" empty="" }');
  assert.equal(formatInfoString('http', attrs, 'json'), 'http {"id":"x","title":"two words","q":"say \\"hi\\"","empty":""}');
  assert.equal(formatInfoString('http', {}, 'json'), 'http');
  assert.equal(formatInfoString('http', { id: 'x' }, 'none'), 'http { id=x }');
  for (const style of ['json', 'keyValue'] as const) assert.deepEqual(parseInfoString(formatInfoString('http', attrs, style)).attributes, attrs);
});

test('front matter: inputs with defaults, required, secret, env, enum', () => {
  const fm = parseFrontMatter([
    'title: Cutover',
    'inputs:',
    '  - name: baseUrl',
    '    type: url',
    '    default: http://127.0.0.1',
    '  - name: apiKey',
    '    secret: true',
    '    env: ENGRAMIA_API_KEY',
    '  - name: mode',
    '    type: enum',
    '    options: [dry, real]',
    '    required: false',
  ].join('\n'));
  assert.equal(fm.error, undefined);
  assert.equal(fm.title, 'Cutover');
  assert.deepEqual(fm.inputs, [
    { name: 'baseUrl', type: 'url', default: 'http://127.0.0.1', secret: false, required: false },
    { name: 'apiKey', type: 'string', secret: true, required: true, env: 'ENGRAMIA_API_KEY' },
    { name: 'mode', type: 'enum', options: ['dry', 'real'], secret: false, required: false },
  ]);
});

test('front matter errors are one line and keep inputs empty', () => {
  const cases: [string, RegExp][] = [
    ['title: [oops', /^front matter: invalid YAML: /],
    ['- just\n- a list', /^front matter: expected key: value pairs/],
    ['inputs:\n  - name: a-b', /^front matter: inputs\.0\.name: expected an identifier/],
    ['inputs:\n  - name: k\n    secret: true\n    default: hunter2', /^front matter: inputs\.0\.default: a secret input cannot have a default/],
    ['inputs:\n  - name: m\n    type: enum', /^front matter: inputs\.0\.options: an enum input needs/],
    ['inputs:\n  - name: a\n  - name: a', /^front matter: inputs\.1\.name: duplicate input "a"/],
    ['inputs:\n  - name: a\n    type: date', /^front matter: inputs\.0\.type: expected one of/],
    ['inputs: [1]', /^front matter: inputs\.0: expected an input \(a mapping with name: …\)$/],
    ['inputs:\n  - null', /^front matter: inputs\.0: expected an input/],
    ['inputs:\n  - name: a\n    options: [a, 1, true]', /^front matter: inputs\.0\.options\.2: expected a string or number$/],
  ];
  for (const [yaml, re] of cases) {
    const fm = parseFrontMatter(yaml);
    assert.match(fm.error ?? '', re, yaml);
    assert.ok(!fm.error!.includes('\n'));
    assert.deepEqual(fm.inputs, []);
  }
  assert.deepEqual(parseFrontMatter(''), { raw: '', data: {}, inputs: [] });
});

test('setTaskChecked changes exactly the box character', () => {
  assert.equal(setTaskChecked('- [ ] a', true), '- [x] a');
  assert.equal(setTaskChecked('- [X] a', true), '- [X] a');
  assert.equal(setTaskChecked('- [X] a', false), '- [ ] a');
  assert.equal(setTaskChecked('  12. [x] a\nmore [ ] text', false), '  12. [ ] a\nmore [ ] text');
  assert.equal(setTaskChecked('-\n  [ ] on the next line', true), '-\n  [x] on the next line');
  assert.equal(setTaskChecked('- [ ]', true), '- [x]');
  assert.equal(setTaskChecked('plain', true), undefined);
  assert.equal(setTaskChecked('- [ ]x', true), undefined);
  assert.equal(setTaskChecked('[ ] no marker', true), undefined);
});

test('ids: explicit, derived from headings and task labels, check-N, made unique; duplicates flagged', () => {
  const doc = parseRunbook([
    '# Migrate DB',
    '## Pre-checks',
    '- [ ] Ping the server',
    '  ```http',
    '  GET http://127.0.0.1/',
    '  ```',
    '  ```http',
    '  GET http://127.0.0.1/again',
    '  ```',
    '```sh',
    'echo free-standing',
    '```',
    '```sh {id=dup}',
    'echo 1',
    '```',
    '```sh {id=dup}',
    'echo 2',
    '```',
    '```js',
    'not a check',
    '```',
  ].join('\n'));
  const checks = listChecks(doc);
  assert.deepEqual(checks.map((c) => [c.id, c.taskCell === null ? null : doc.cells[c.taskCell].task!.label, c.error ?? null]), [
    ['migrate-db/pre-checks/ping-the-server', 'Ping the server', null],
    ['migrate-db/pre-checks/ping-the-server-2', 'Ping the server', null],
    ['migrate-db/pre-checks/check-3', null, null],
    ['dup', null, null],
    ['dup', null, 'duplicate id "dup": another check above uses it; give each check its own id'],
  ]);
  assert.equal(findCheck(doc, 'migrate-db/pre-checks/check-3')?.body, 'echo free-standing');
  assert.deepEqual(findCheck(doc, 'migrate-db/pre-checks/ping-the-server')?.sectionPath, ['Migrate DB', 'Pre-checks']);
  assert.equal(findCheck(doc, 'nope'), undefined);
});

test('isCheckKind decides which fences are checks', () => {
  const text = '```http\nGET /\n```\n\n```custom\nx\n```\n';
  assert.deepEqual(listChecks(parseRunbook(text)).map((c) => c.kind), ['http']);
  assert.deepEqual(listChecks(parseRunbook(text, { isCheckKind: (w) => w === 'custom' })).map((c) => c.kind), ['custom']);
});

test('a fence not under a task item, or after the item ended, has no task', () => {
  const doc = parseRunbook('- [ ] item\n\ntext that ends the list\n\n  ```sh\n  echo\n  ```\n\n## H\n- [ ] a\n```sh\necho 2\n```\n\n- [ ] b\n- plain item\n  ```sh\n  echo 3\n  ```\n');
  assert.deepEqual(listChecks(doc).map((c) => c.taskCell), [null, null, null]);
});

test('deriveRunbook on live cells: edited and added cells get roles from their text', () => {
  const doc = parseRunbook('# A\n\n- [ ] one\n  ```sh\n  echo\n  ```\n\n```sh\n```\n\n    - [ ] indented code, not a task\n');
  assert.equal(doc.cells[4].role, 'prose');
  assert.equal(doc.cells[4].value, '- [ ] indented code, not a task');
  const live: CellLike[] = [
    ...doc.cells.slice(0, 1),
    { ...doc.cells[1], value: '- [x] one' },
    doc.cells[2],
    doc.cells[4],
    { kind: 'markup', language: 'markdown', value: '## B' },
    { kind: 'markup', language: 'markdown', value: '- [ ] two' },
    { kind: 'code', language: 'http', value: 'GET /', attributes: { id: 'two' } },
  ];
  const d = deriveRunbook(live);
  assert.deepEqual(d.cells.map((c) => c.role), ['section', 'task', 'fence', 'prose', 'section', 'task', 'fence']);
  assert.equal(d.cells[1].task!.checked, true);
  assert.equal(d.cells[2].check!.taskCell, 1);
  assert.equal(d.cells[6].check!.taskCell, 5);
  assert.equal(d.cells[6].check!.id, 'two');
  assert.deepEqual(d.sections.map((s) => [s.id, s.cell, s.endCell]), [['a', 0, 7], ['a/b', 4, 7]]);
  assert.deepEqual(sectionProgress(d).map((p) => [p.section.id, p.done, p.total]), [['a', 1, 2], ['a/b', 0, 1]]);
  assert.deepEqual(sectionProgress(d, (i) => i === 5).map((p) => [p.done, p.total]), [[1, 2], [1, 1]]);
});

test('parse and derive agree on the parsed cells', () => {
  const text = '---\ntitle: T\n---\n# A\n- [ ] x\n  ```http {id=h}\n  GET /\n  ```\n## B\n- [x] y\n';
  const doc = parseRunbook(text);
  const d = deriveRunbook(doc.cells);
  assert.deepEqual(d.cells.map((c) => [c.role, c.task ?? null, c.check ?? null]), doc.cells.map((c) => [c.role, c.task ?? null, c.check ?? null]));
  assert.deepEqual(d.sections, doc.sections);
  assert.deepEqual(d.frontMatter, doc.frontMatter);
});

test('check attribute errors are reported on the check', () => {
  const doc = parseRunbook('- [ ] x\n  ```http { id="broken }\n  GET /\n  ```\n');
  const [c] = listChecks(doc);
  assert.match(c.error!, /unterminated quoted value/);
  assert.equal(c.kind, 'http');
});

test('front matter yaml can read prints no warnings (Hugo archetype templates)', async () => {
  // minimal reproduction: `{{ .Date }}` is a flow map used as a key; yaml warned about stringifying it
  const text = '---\ntitle: "{{ replace .Name \\"-\\" \\" \\" | title }}"\ndate: {{ .Date }}\ndraft: true\n---\n# Post\n';
  const warned: unknown[] = [];
  const onWarning = (w: Error) => warned.push(w.message);
  const consoleWarn = console.warn;
  process.on('warning', onWarning);
  console.warn = (...args: unknown[]) => void warned.push(args.join(' '));
  try {
    const doc = parseRunbook(text);
    assert.equal(doc.frontMatter?.error, undefined);
    assert.equal(doc.frontMatter?.data?.draft, true);
    assert.equal(doc.frontMatter?.title, '{{ replace .Name "-" " " | title }}');
    await new Promise((r) => setImmediate(r)); // process warnings are emitted on the next tick
  } finally {
    process.off('warning', onWarning);
    console.warn = consoleWarn;
  }
  assert.deepEqual(warned, []);
});
