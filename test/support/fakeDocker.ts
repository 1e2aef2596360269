/**
 * Process checks inherit only an allow-listed environment (PATH, HOME …), so the fake `docker`
 * (test/fixtures/bin/docker) cannot learn its state folder from FAKE_DOCKER_STATE set in the test
 * process. `fakeDockerBin` writes a `docker` wrapper that sets it and execs the fake; put the
 * returned folder first on PATH (PATH is inherited).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function fakeDockerBin(fakeBin: string, dir: string, state: string, data: string): string {
  const bin = path.join(dir, 'fake-docker-bin');
  mkdirSync(bin, { recursive: true });
  const fake = path.join(fakeBin, 'docker');
  chmodSync(fake, 0o755);
  const wrapper = path.join(bin, 'docker');
  writeFileSync(wrapper, `#!/bin/sh\nFAKE_DOCKER_STATE=${q(state)} FAKE_DOCKER_DATA=${q(data)} exec ${q(fake)} "$@"\n`, { mode: 0o755 });
  chmodSync(wrapper, 0o755);
  return bin;
}
