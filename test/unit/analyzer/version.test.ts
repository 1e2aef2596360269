/** The installed engramia version read from package metadata files (no interpreter runs: every case is a venv). */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findInstalledVersion, metadataField, versionFromMetadata, normalizeDistName, resolveInterpreter } from '../../../src/core/analyzer/engramiaVersion';
import { tempDir } from '../../support/tempDir';
import { randomJoins } from '../../support/random';

const base = tempDir('eng-version');
after(() => rmSync(base, { recursive: true, force: true }));

/** A venv whose interpreter is a plain file (never run: venvs are read as files) with `files` in site-packages. */
function venv(name: string, files: Record<string, string>, cfg = 'home = /nonexistent\n'): string {
  const prefix = join(base, name);
  const site = join(prefix, 'lib', 'python3.12', 'site-packages');
  mkdirSync(join(prefix, 'bin'), { recursive: true });
  writeFileSync(join(prefix, 'bin', 'python'), '#!/bin/sh\nexit 3\n', { mode: 0o644 });
  writeFileSync(join(prefix, 'pyvenv.cfg'), cfg);
  for (const [rel, text] of Object.entries(files)) {
    const p = rel.startsWith('/') ? rel : join(site, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return join(prefix, 'bin', 'python');
}

const meta = (name: string, version: string) => `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n\nlong description\nVersion: 0.0.0\n`;

test('METADATA: the header Version wins over the body; a different Name is refused; junk versions are refused', () => {
  assert.equal(versionFromMetadata(meta('engramia', '0.7.2'), 'engramia'), '0.7.2');
  assert.equal(versionFromMetadata(meta('Engramia', '1.0.0rc1'), 'engramia'), '1.0.0rc1');
  assert.equal(versionFromMetadata(meta('engramia-sdk', '1.0.0'), 'engramia'), undefined);
  assert.equal(versionFromMetadata('Name: engramia\nVersion: $(rm -rf /)\n', 'engramia'), undefined);
  assert.equal(versionFromMetadata('', 'engramia'), undefined);
  assert.equal(normalizeDistName('Engramia__SDK.x'), 'engramia-sdk-x');
});

test('metadata lines read as the regex /^(Name|Version):[ \\t]*(\\S.*?)\\s*$/i did, and a 256 kB planted line is read in linear time', () => {
  const re = /^(Name|Version):[ \t]*(\S.*?)\s*$/i;
  const parts = ['Name', 'name', 'VERSION', 'Version', 'Nam', ':', ': ', ':\t', ' ', '\t', '\u00a0', '\r', '\u2028', '1.0', 'engramia', 'x y'];
  for (const line of randomJoins(parts, { count: 20000, seed: 3, minParts: 1, maxParts: 6 })) {
    const m = re.exec(line);
    const f = metadataField(line);
    assert.deepEqual(f ? [f.key, f.value] : undefined, m ? [m[1]!.toLowerCase(), m[2]] : undefined, JSON.stringify(line));
  }
  const gap = ' '.repeat(256 * 1024);
  assert.equal(metadataField(`Version: 0.6.6${gap}x${gap}`)?.value.length, 5 + gap.length + 1);
  assert.equal(versionFromMetadata(`Name: engramia\nVersion: 0.6.6${gap}x\n`), undefined, 'not a version');
  assert.equal(versionFromMetadata(`Name: engramia${gap}x\nVersion:${gap}\nVersion: 0.6.6\n`, 'engramia'), undefined, 'another name');
});

test('dist-info in a venv site-packages; other distributions with a similar name are not taken', async () => {
  const py = venv('dist', {
    'engramia_sdk-9.0.0.dist-info/METADATA': meta('engramia_sdk', '9.0.0'),
    'engramia-0.6.2.dist-info/METADATA': meta('engramia', '0.6.2'),
  });
  const found = await findInstalledVersion('engramia', { python: py });
  assert.equal(found?.version, '0.6.2');
  assert.match(found!.from, /engramia-0\.6\.2\.dist-info[\\/]METADATA$/);
});

test('egg-info as a folder (PKG-INFO) and as a single file', async () => {
  assert.equal((await findInstalledVersion('engramia', { python: venv('eggdir', { 'engramia-0.5.0-py3.12.egg-info/PKG-INFO': meta('engramia', '0.5.0') }) }))?.version, '0.5.0');
  assert.equal((await findInstalledVersion('engramia', { python: venv('eggfile', { 'engramia-0.5.1-py3.12.egg-info': meta('engramia', '0.5.1') }) }))?.version, '0.5.1');
});

test('egg-link and plain-path .pth lines lead to metadata elsewhere; import lines are ignored', async () => {
  const project = join(base, 'src-checkout');
  const py = venv('links', {
    'engramia.egg-link': `${project}\n.\n`,
    [join(project, 'engramia.egg-info', 'PKG-INFO')]: meta('engramia', '0.8.0'),
  });
  assert.equal((await findInstalledVersion('engramia', { python: py }))?.version, '0.8.0');
  const extra = join(base, 'extra-dir');
  const py2 = venv('pth', {
    'extra.pth': `import sys; sys.exit(1)\n# comment\n${extra}\n`,
    [join(extra, 'engramia-0.9.0.dist-info', 'METADATA')]: meta('engramia', '0.9.0'),
  });
  assert.equal((await findInstalledVersion('engramia', { python: py2 }))?.version, '0.9.0');
});

test('missing package, missing interpreter, relative PATH entries: undefined', async () => {
  assert.equal(await findInstalledVersion('engramia', { python: venv('empty', {}) }), undefined);
  assert.equal(await findInstalledVersion('engramia', { python: join(base, 'nope', 'bin', 'python') }), undefined);
  assert.equal(resolveInterpreter('python3', { PATH: ['.', 'relative/bin'].join(process.platform === 'win32' ? ';' : ':') }), undefined);
});
