/**
 * A September Engine deployment for tests, without Docker: a workspace folder with a compose
 * file, the fake `docker` (test/fixtures/bin/docker) first on PATH simulating the compose service,
 * a brain volume folder (mapped to /data) holding a real SQLite brain and snapshot made with the
 * real sqlite3, and a real HTTP Engine stand-in (test/servers/engine) for /health.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { startEngineServer, type EngineServer } from '../../servers/engine/server';
import { fakeDockerBin } from '../../support/fakeDocker';
import { run, scriptedUi, type Ran, type RunSetup } from '../process/harness';
import { removeTempDir, tempDir } from '../../support/tempDir';
import { fencedChecks, inputDefaults, REPO, type FencedCheck } from '../process/runbook-fences';

export const RUNBOOK = path.join(REPO, 'runbooks/september-engine-rollback.runbook.md');
const FAKE_BIN = path.join(REPO, 'test/fixtures/bin');

export const ENGINE_KEY = 'sek_test_0123456789abcdefXYZ';

export interface Deployment {
  readonly dir: string;
  readonly state: string;
  readonly data: string;
  readonly engine: EngineServer;
  readonly inputs: Record<string, string>;
  readonly checks: Map<string, FencedCheck>;
  /** Runs the runbook check with this id through the real engine. */
  run(id: string, setup?: Partial<RunSetup>): Promise<Ran>;
  /** Calls the fake docker received, one line each. */
  calls(): string[];
  setFile(name: string, content: string): void;
  snapshot(ageHours: number, opts?: { corrupt?: boolean }): string;
  close(): Promise<void>;
}

/** A real SQLite brain with a couple of Engine-like tables. */
export function makeBrain(file: string, rows = 200): void {
  const sql = [
    'PRAGMA page_size=1024;',
    'CREATE TABLE episodes(id INTEGER PRIMARY KEY, task_id TEXT, content TEXT, created_at INTEGER);',
    'CREATE INDEX episodes_task ON episodes(task_id);',
    'CREATE TABLE knowledge_store(id INTEGER PRIMARY KEY, key TEXT UNIQUE, value TEXT);',
    'BEGIN;',
    ...Array.from({ length: rows }, (_, i) => `INSERT INTO episodes(task_id, content, created_at) VALUES ('task-${i % 17}', '${'episode text '.repeat(8)}${i}', ${1_700_000_000 + i});`),
    ...Array.from({ length: 40 }, (_, i) => `INSERT INTO knowledge_store(key, value) VALUES ('k${i}', 'v${i}');`),
    'COMMIT;',
  ].join('\n');
  execFileSync('sqlite3', [file], { input: sql });
}

/** Overwrites bytes in the middle of the file so that integrity_check reports damage. */
export function corrupt(file: string): void {
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  try {
    const junk = Buffer.alloc(600, 0x5a);
    for (const at of [Math.floor(size / 3), Math.floor(size / 2), Math.floor((2 * size) / 3)]) writeSync(fd, junk, 0, junk.length, at);
  } finally {
    closeSync(fd);
  }
}

export async function deploy(overrides: Record<string, string> = {}): Promise<Deployment> {
  if (!existsSync(path.join(FAKE_BIN, 'docker'))) throw new Error('test/fixtures/bin/docker is missing');
  chmodSync(path.join(FAKE_BIN, 'docker'), 0o755);
  const dir = tempDir('september');
  const cleanup = () => removeTempDir(dir);
  const state = path.join(dir, '.docker-state');
  const data = path.join(dir, 'volume-data');
  mkdirSync(state);
  mkdirSync(data);
  writeFileSync(path.join(dir, 'docker-compose.yml'), 'services:\n  engine:\n    image: engine:2.4.0\n    ports:\n      - "127.0.0.1:8000:8000"\n    volumes:\n      - engine-data:/data\nvolumes:\n  engine-data: {}\n');
  writeFileSync(path.join(state, 'state'), 'running\n');
  writeFileSync(path.join(state, 'image'), 'engine:2.4.0\n');
  writeFileSync(path.join(state, 'images'), 'engine:2.4.0\nengine:2.3.1\n');
  writeFileSync(path.join(state, 'logs'), '');
  makeBrain(path.join(data, 'brain.sqlite'), 260);

  const engine = await startEngineServer({ state: 'ok', engineKey: ENGINE_KEY });
  const saved = { PATH: process.env.PATH, FAKE_DOCKER_STATE: process.env.FAKE_DOCKER_STATE, FAKE_DOCKER_DATA: process.env.FAKE_DOCKER_DATA };
  // Checks inherit PATH but not FAKE_DOCKER_*: a wrapper on PATH tells the fake where its state is.
  process.env.PATH = `${fakeDockerBin(FAKE_BIN, dir, state, data)}${path.delimiter}${process.env.PATH}`;
  process.env.FAKE_DOCKER_STATE = state;
  process.env.FAKE_DOCKER_DATA = data;

  const inputs: Record<string, string> = {
    ...inputDefaults(RUNBOOK),
    engineUrl: engine.url,
    engineKey: ENGINE_KEY,
    currentTag: '2.4.0',
    previousTag: '2.3.1',
    p99Baseline: '800',
    symptom: 'error rate 12 % after the 2.4.0 upgrade',
    healthPolls: '3',
    healthIntervalSeconds: '0.2',
    startDeadlineSeconds: '5',
    ...overrides,
  };
  const checks = fencedChecks(RUNBOOK);
  const dep: Deployment = {
    dir,
    state,
    data,
    engine,
    inputs,
    checks,
    run(id, setup = {}) {
      const check = checks.get(id);
      if (!check) throw new Error(`no check ${id} in the September runbook`);
      const { id: _omit, ...attributes } = check.attributes;
      return run(check.kind, check.body, {
        id,
        cwd: dir,
        inputs,
        secrets: [ENGINE_KEY],
        ui: scriptedUi(),
        attributes,
        ...setup,
      });
    },
    calls: () => (existsSync(path.join(state, 'calls.log')) ? readFileSync(path.join(state, 'calls.log'), 'utf8').split('\n').filter(Boolean) : []),
    setFile: (name, content) => writeFileSync(path.join(state, name), content),
    snapshot(ageHours, opts = {}) {
      const epoch = Math.floor(Date.now() / 1000 - ageHours * 3600);
      const name = `brain-${epoch}.db`;
      const file = path.join(data, name);
      makeBrain(file, 240);
      if (opts.corrupt) corrupt(file);
      return name;
    },
    async close() {
      process.env.PATH = saved.PATH;
      if (saved.FAKE_DOCKER_STATE === undefined) delete process.env.FAKE_DOCKER_STATE;
      else process.env.FAKE_DOCKER_STATE = saved.FAKE_DOCKER_STATE;
      if (saved.FAKE_DOCKER_DATA === undefined) delete process.env.FAKE_DOCKER_DATA;
      else process.env.FAKE_DOCKER_DATA = saved.FAKE_DOCKER_DATA;
      await engine.close();
      cleanup();
      void rmSync;
    },
  };
  return dep;
}

/** JSON log lines like the Engine's (timestamp, level, logger, request_id, task_id, message, extra). */
export function engineLogs(o: { requests: number; errors: number; durationsMs?: number[]; migrationRequired?: boolean }): string {
  const lines: string[] = [];
  const ts = new Date().toISOString();
  for (let i = 0; i < o.requests; i++) {
    lines.push(JSON.stringify({ timestamp: ts, level: 'INFO', logger: 'engine.loop', request_id: `r${i}`, task_id: `t${i}`, message: 'Starting execution', extra: {} }));
    const d = o.durationsMs?.[i];
    if (d !== undefined) lines.push(JSON.stringify({ timestamp: ts, level: 'INFO', logger: 'engine.loop', request_id: `r${i}`, task_id: `t${i}`, message: 'Execution finished', extra: { duration_ms: d } }));
  }
  for (let i = 0; i < o.errors; i++) lines.push(JSON.stringify({ timestamp: ts, level: 'ERROR', logger: 'engine.tools', request_id: `r${i}`, task_id: `t${i}`, message: 'tool call failed', extra: { code: 'TOOL_ERROR' } }));
  if (o.migrationRequired) lines.push(JSON.stringify({ timestamp: ts, level: 'ERROR', logger: 'engine.infra.migrations', request_id: null, task_id: null, message: 'MIGRATION_REQUIRED: brain schema does not match this Engine version', extra: {} }));
  lines.push('not a json line from the entrypoint script');
  return lines.join('\n') + '\n';
}
