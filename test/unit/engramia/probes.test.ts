/**
 * Every `engramia` probe through the check engine against the contract server over real HTTP,
 * in both version behaviours (0.6.6, main/0.7.0) and both auth modes, with faults.
 */
import assert from 'node:assert/strict';
import { describe, test, after } from 'node:test';
import { runCheck } from '../../../src/core/checks/engine';
import type { CheckRun } from '../../../src/core/checks/types';
import { assertNoSecret } from '../../support/secrets';
import { engramiaKind, isDestructiveEngramiaCheck } from '../../../src/core/engramia';
import { closeContractServers, startContractServer } from '../../support/contractServer';
import { makeEnv, runProbe } from './helpers';

after(closeContractServers);

/** The key must never appear in anything a check returns (checked without the engine's masking). */
function assertNoLeak(run: CheckRun & { ui?: unknown }, ...keys: string[]): void {
  const { ui: _ui, ...result } = run as CheckRun & { ui?: unknown };
  const text = JSON.stringify(result);
  for (const k of keys) assertNoSecret(text, k, 'the result');
}

describe('engramia probe: version', () => {
  test('0.6.6: release known, no dedup', async () => {
    const s = await startContractServer({ version: '0.6.6' });
    const r = await runProbe(s, s.keys.reader, 'version');
    assert.equal(r.verdict, 'pass');
    assert.match(r.reason, /^server 0\.6\.6: every learn inserts/);
    assert.equal(r.data?.serverVersion, '0.6.6');
    assert.equal(r.data?.targetHost, `127.0.0.1:${s.port}`);
    assert.equal(r.data?.dedup, false);
  });
  test('0.7.0: dedup', async () => {
    const s = await startContractServer({ version: '0.7.0' });
    const r = await runProbe(s, s.keys.reader, 'version');
    assert.equal(r.verdict, 'pass');
    assert.match(r.reason, /server 0\.7\.0: learn merges near-identical tasks/);
  });
  test('main (0.0.0+dev): warn "version unknown" and fall back to the billing signal', async () => {
    const s = await startContractServer({ version: 'main' });
    const r = await runProbe(s, s.keys.reader, 'version');
    assert.equal(r.verdict, 'warn');
    assert.match(r.reason, /^version unknown \(server runs from source/);
    assert.match(r.reason, /cancel_at_period_end/);
    assert.equal(r.data?.versionLine, '0.7+');
  });
  test('0.0.0+dev on a 0.6.6 build: billing says sandbox', async () => {
    const s = await startContractServer({ version: '0.6.6', appVersion: '0.0.0+dev' });
    const r = await runProbe(s, s.keys.reader, 'version');
    assert.equal(r.verdict, 'warn');
    assert.equal(r.data?.versionLine, 'pre-0.7');
    assert.equal(r.data?.dedup, false);
  });
  test('min: older server fails', async () => {
    const s = await startContractServer({ version: '0.6.6' });
    const r = await runProbe(s, s.keys.reader, 'version', 'min: 0.7.0');
    assert.equal(r.verdict, 'fail');
    assert.match(r.reason, /older than 0\.7\.0/);
  });
});

describe('engramia probe: role', () => {
  for (const version of ['0.6.6', 'main'] as const) {
    test(`db mode (${version}): every role detected; expect=editor is "at least"`, async () => {
      const s = await startContractServer({ version });
      const expectations: Record<string, 'pass' | 'fail'> = { reader: 'fail', editor: 'pass', admin: 'pass', owner: 'pass' };
      for (const [role, verdict] of Object.entries(expectations)) {
        const key = s.keys[role as 'reader'];
        const r = await runProbe(s, key, 'role', '', { expect: 'editor' });
        assert.equal(r.verdict, verdict, `${role}: ${r.reason}`);
        assert.equal(r.data?.role, role);
        assert.match(r.reason, new RegExp(`^role ${role}`));
        assert.match(r.details ?? '', /one editor key for learning; user-facing services reader only/);
        assertNoLeak(r, key);
      }
      assert.equal(s.hitCount('POST'), 0, 'side-effect free');
    });
  }
  test('reader fails expect=editor with a next step; exact=true wants exactly that role', async () => {
    const s = await startContractServer();
    const r = await runProbe(s, s.keys.reader, 'role', '', { expect: 'editor' });
    assert.equal(r.reason, 'role reader, expected at least editor');
    assert.match(r.next ?? '', /use a key with role editor/);
    const x = await runProbe(s, s.keys.admin, 'role', '', { expect: 'reader', exact: 'true' });
    assert.equal(x.verdict, 'fail');
    assert.match(x.next ?? '', /more rights than needed/);
    const ok = await runProbe(s, s.keys.reader, 'role', '', { expect: 'reader', exact: 'true' });
    assert.equal(ok.verdict, 'pass');
  });
  test('env mode: 503 on keys → audit probe; owner/admin ambiguous, reader named', async () => {
    const s = await startContractServer({ authMode: 'env' });
    const r = await runProbe(s, s.keys.owner, 'role', '', { expect: 'editor' });
    assert.equal(r.verdict, 'pass');
    assert.match(r.reason, /^role admin or owner/);
    assert.match(r.details ?? '', /key management is unavailable on this server/);
    const w = await runProbe(s, s.keys.owner, 'role', '', { expect: 'owner' });
    assert.equal(w.verdict, 'warn');
    const rd = await startContractServer({ authMode: 'env', envRole: 'reader', version: '0.6.6' });
    const rr = await runProbe(rd, rd.keys.owner, 'role', '', { expect: 'editor' });
    assert.equal(rr.verdict, 'fail');
    assert.equal(rr.data?.role, 'reader');
    assert.match(rr.reason, /^role reader/);
  });
  test('401 with a guide-style key explains the real key format', async () => {
    const s = await startContractServer();
    const r = await runProbe(s, 'eng_1234567890', 'role');
    assert.equal(r.verdict, 'fail');
    assert.match(r.reason, /^GET \/v1\/keys: 401 Unauthorized: Invalid API key\./);
    assert.match(r.next ?? '', /`engramia_sk_` \+ 43 characters; the guide's `eng_…` form does not exist/, 'inline code in the markdown output');
    assertNoLeak(r, 'eng_1234567890');
  });
});

describe('engramia probe: scope', () => {
  test('admin (db): tenant/project from the own key entry; mismatch fails', async () => {
    const s = await startContractServer();
    const r = await runProbe(s, s.keys.admin, 'scope', 'project: p_main');
    assert.equal(r.verdict, 'pass');
    assert.match(r.reason, /t_acme\/p_main as expected; ENGRAMIA_TENANT_ID and ENGRAMIA_PROJECT_ID have no effect/);
    const f = await runProbe(s, s.keys.admin, 'scope', 'project: p_billing');
    assert.equal(f.verdict, 'fail');
    assert.match(f.reason, /belongs to t_acme\/p_main, not p_billing/);
    assertNoLeak(f, s.keys.admin);
  });
  test('reader/editor cannot see their scope: warn with the explanation', async () => {
    for (const version of ['0.6.6', 'main'] as const) {
      const s = await startContractServer({ version });
      const r = await runProbe(s, s.keys.editor, 'scope', 'project: p_main');
      assert.equal(r.verdict, 'warn');
      assert.match(r.reason, /not visible to a editor key|not visible to an? editor key/);
      assert.match(r.reason, /ENGRAMIA_TENANT_ID and ENGRAMIA_PROJECT_ID have no effect/);
      assert.equal(r.data?.patternCount, 5);
    }
  });
  test('env mode owner: retention shows default/default', async () => {
    const s = await startContractServer({ authMode: 'env' });
    const r = await runProbe(s, s.keys.owner, 'scope');
    assert.equal(r.verdict, 'pass');
    assert.match(r.reason, /default\/default/);
    assert.match(r.details ?? '', /GET \/v1\/governance\/retention/);
  });
});

describe('engramia probe: quota', () => {
  test('default plans pass on both versions; factor applies', async () => {
    for (const version of ['0.6.6', 'main'] as const) {
      const s = await startContractServer({ version });
      const r = await runProbe(s, s.keys.reader, 'quota', 'factor: 0.8');
      assert.equal(r.verdict, 'pass');
      const cap = version === 'main' ? 8000 : 4000;
      assert.match(r.reason, new RegExp(`^5 of ${cap} patterns`));
      assert.equal(r.data?.cap, cap);
    }
  });
  test('≥ 95 % of the cap warns, ≥ 100 % fails, null passes', async () => {
    const nineteen = Array.from({ length: 19 }, (_, i) => ({ task: `task number ${i} alpha${i}`, source: 'import' }));
    const w = await startContractServer({ patterns: nineteen, patternsLimit: 25 }); // cap 20
    const rw = await runProbe(w, w.keys.reader, 'quota');
    assert.equal(rw.verdict, 'warn');
    assert.match(rw.reason, /19 of 20 patterns/);
    const f = await startContractServer({ patternsLimit: 6 }); // cap 4, 5 used
    const rf = await runProbe(f, f.keys.reader, 'quota');
    assert.equal(rf.verdict, 'fail');
    assert.match(rf.next ?? '', /429 QUOTA_EXCEEDED/);
    const u = await startContractServer({ patternsLimit: null });
    const ru = await runProbe(u, u.keys.reader, 'quota');
    assert.equal(ru.verdict, 'pass');
    assert.match(ru.reason, /no pattern limit/);
  });
  test('renamed quota fields (schema drift) fail naming field, endpoint and version', async () => {
    const s = await startContractServer({ version: '0.7.0', drift: { 'GET /v1/billing/status': { patterns_used: 'pattern_count_used' } } });
    const r = await runProbe(s, s.keys.reader, 'quota');
    assert.equal(r.verdict, 'fail');
    assert.equal(r.reason, 'schema drift on GET /v1/billing/status: field "patterns_used" is missing (server version 0.7.0)');
  });
  test('maintenance 503 fails with the maintenance reason', async () => {
    const s = await startContractServer({ maintenance: true });
    const r = await runProbe(s, s.keys.reader, 'quota');
    assert.equal(r.verdict, 'fail');
    assert.match(r.reason, /^GET \/v1\/billing\/status: 503 maintenance: Service is under scheduled maintenance/);
    assert.match(r.next ?? '', /maintenance/);
    assert.equal(r.data?.serverVersion, 'unknown');
  });
  test('a 429 on the GET is retried once when Retry-After fits; never on POST', async () => {
    // one request a second: the second probe's GET (right after the first) gets the 429, and the retry
    // after Retry-After (1 s) falls in the next window (a shorter window let a loaded machine miss the 429)
    const s = await startContractServer({ rateLimitPerMinute: 1, rateLimitWindowMs: 1000, retryAfterSeconds: 1 });
    await runProbe(s, s.keys.reader, 'quota');
    const r = await runProbe(s, s.keys.reader, 'quota');
    assert.equal(r.verdict, 'pass');
    assert.equal(s.hitCount('GET', '/v1/billing/status'), 3);
  });
});

describe('engramia probe: store-size', () => {
  test('plausible ratio passes, implausible ratio warns with version-specific why', async () => {
    for (const version of ['0.6.6', 'main'] as const) {
      const s = await startContractServer({ version });
      const ok = await runProbe(s, s.keys.reader, 'store-size', 'importedPairs: 6');
      assert.equal(ok.verdict, 'pass');
      assert.match(ok.reason, /5 patterns for 6 imported pairs/);
      const low = await runProbe(s, s.keys.reader, 'store-size', 'importedPairs: 100000');
      assert.equal(low.verdict, 'warn');
      assert.match(low.reason, /implausibly small store: 5 patterns for 100000 imported pairs/);
      assert.match(low.details ?? '', version === '0.6.6' ? /on_duplicate/ : /word-Jaccard ≥ 0\.92/);
    }
  });
  test('patterns the runbook wrote itself (source runbook-check) are not counted', async () => {
    const s = await startContractServer({ patterns: [
      { task: 'Build a CSV parser', code: 'x', source: 'import' },
      { task: 'Write a function that sums a list of integers', code: 'x', source: 'import' },
      { task: 'runbook write-back check 0a1b2c3d4e5f', code: '# write-back check', source: 'runbook-check' },
      { task: 'runbook write-back check ffeeddccbbaa', code: '# write-back check', source: 'runbook-check' },
      // Same source, other task: not the runbook's (a user could use the word) → counted.
      { task: 'Summarise a support ticket', code: 'x', source: 'runbook-check' },
    ] });
    const r = await runProbe(s, s.keys.reader, 'store-size', 'importedPairs: 3');
    assert.equal(r.verdict, 'pass', r.reason);
    assert.match(r.reason, /^3 patterns for 3 imported pairs/);
    assert.equal(r.data?.ownPatterns, 2);
    assert.match(r.details ?? '', /2 patterns written by this runbook/);
    const b = await runProbe(s, s.keys.reader, 'backfill', 'expectedPatterns: 4');
    assert.equal(b.verdict, 'fail', b.reason);
    assert.equal(b.reason, 'pattern_count 3 (5 less 2 written by this runbook) < 4');
    assert.equal((await runProbe(s, s.keys.reader, 'backfill', 'expectedPatterns: 3')).verdict, 'pass');
  });
  test('missing importedPairs is an error', async () => {
    const s = await startContractServer();
    const r = await runProbe(s, s.keys.reader, 'store-size');
    assert.equal(r.verdict, 'error');
  });
});

describe('engramia probe: learn-writeback (smoke 3)', () => {
  for (const version of ['0.6.6', '0.7.0', 'main'] as const) {
    test(`${version}: unique task → pattern_count +1`, async () => {
      const s = await startContractServer({ version });
      const r = await runProbe(s, s.keys.editor, 'learn-writeback');
      assert.equal(r.verdict, 'pass', r.reason);
      assert.match(r.reason, /pattern_count 5 → 6/);
      assert.equal(r.data?.delta, 1);
      assert.match(r.details ?? '', version === '0.6.6' ? /inserts a pattern on every learn/ : /fresh nonce/);
      assert.equal(s.hitCount('POST', '/v1/learn'), 1);
      // Run twice: still +1 because the nonce differs (a repeated task would be merged on 0.7+).
      const again = await runProbe(s, s.keys.editor, 'learn-writeback');
      assert.equal(again.data?.delta, 1);
    });
  }
  test('reader cannot learn: fail naming the role', async () => {
    const s = await startContractServer();
    const r = await runProbe(s, s.keys.reader, 'learn-writeback');
    assert.equal(r.verdict, 'fail');
    assert.match(r.reason, /role reader lacks permission learn/);
  });
  test('smokeTask: the hooks must have written the smoke prompt back', async () => {
    const s = await startContractServer();
    const ok = await runProbe(s, s.keys.editor, 'learn-writeback', 'smokeTask: Hello, are you there?');
    assert.equal(ok.verdict, 'pass');
    const miss = await runProbe(s, s.keys.editor, 'learn-writeback', 'smokeTask: Tell me a joke about penguins');
    assert.equal(miss.verdict, 'warn');
    assert.match(miss.next ?? '', /run smoke 1 first; if it ran, the hooks did not write back/);
  });
  test('leaves no trace: the learned pattern is deleted again (an editor deletes its own)', async () => {
    for (const authMode of ['db', 'env'] as const) {
      const s = await startContractServer({ authMode, ...(authMode === 'env' ? { envRole: 'editor' as const } : {}) });
      const r = await runProbe(s, s.keys.editor, 'learn-writeback');
      assert.equal(r.verdict, 'pass', r.reason);
      assert.match(r.reason, /the check's own pattern was deleted again$/);
      assert.equal(r.data?.cleanup, 'deleted');
      assert.match(String(r.data?.patternKey), /^patterns\//);
      assert.match(r.details ?? '', /DELETE \/v1\/patterns\/patterns\//);
      assert.equal(s.patterns().length, 5, 'the store is back to its five seeded patterns');
      assert.equal(s.hitCount('DELETE', `/v1/patterns/${String(r.data?.patternKey)}`), 1);
    }
  });
  test('a refused delete warns and names the pattern key to remove by hand', async () => {
    const s = await startContractServer({ patternDeleteNeedsAdmin: true });
    const r = await runProbe(s, s.keys.editor, 'learn-writeback');
    assert.equal(r.verdict, 'warn', r.reason);
    const key = String(r.data?.patternKey);
    assert.equal(r.data?.cleanup, 'refused');
    assert.ok(r.reason.includes(`the check's pattern ${key} could not be deleted`), r.reason);
    assert.match(r.details ?? '', /could not be deleted: DELETE \/v1\/patterns\/.*lacks permission patterns:delete/);
    assert.ok(r.next?.includes(`DELETE /v1/patterns/${key}`), r.next);
    assert.equal(s.patterns().filter((p) => p.key === key).length, 1);
    // An admin key of the same server deletes it.
    const admin = await runProbe(s, s.keys.admin, 'learn-writeback');
    assert.equal(admin.data?.cleanup, 'deleted');
  });
  test('POST /v1/learn 429 is not retried', async () => {
    const s = await startContractServer({ rateLimitPerMinute: 1, rateLimitPaths: ['/v1/learn'], retryAfterSeconds: 1 });
    await runProbe(s, s.keys.editor, 'learn-writeback');
    const r = await runProbe(s, s.keys.editor, 'learn-writeback');
    assert.equal(r.verdict, 'fail');
    assert.match(r.reason, /POST \/v1\/learn: 429 rate limited/);
    assert.equal(s.hitCount('POST', '/v1/learn'), 2, 'one per run, no retry');
  });
});

describe('engramia probe: live-traffic (smoke 4)', () => {
  for (const authMode of ['db', 'env'] as const) {
    test(`${authMode}: recall with source api finds the live prompt`, async () => {
      const s = await startContractServer({ authMode });
      const r = await runProbe(s, s.keys.reader, 'live-traffic', 'liveTask: Hello, are you there?');
      assert.equal(r.verdict, 'pass');
      assert.match(r.reason, /duplicate, similarity 1/);
      assert.match(r.details ?? '', /no learn events/);
    });
  }
  test('only imports: fail; no prompt and admin: export count; no prompt and reader: warn', async () => {
    const onlyImports = await startContractServer({ patterns: [{ task: 'Build a CSV parser', source: 'import' }] });
    const f = await runProbe(onlyImports, onlyImports.keys.reader, 'live-traffic', 'liveTask: Hello, are you there?');
    assert.equal(f.verdict, 'fail');
    assert.match(f.reason, /live traffic is not reaching Engramia/);
    const fe = await runProbe(onlyImports, onlyImports.keys.admin, 'live-traffic');
    assert.equal(fe.verdict, 'fail');
    assert.match(fe.reason, /all 1 patterns have source import/);
    const s = await startContractServer({ version: '0.6.6' });
    const e = await runProbe(s, s.keys.admin, 'live-traffic');
    assert.equal(e.verdict, 'pass');
    assert.match(e.reason, /^1 pattern learned from live traffic/);
    const w = await runProbe(s, s.keys.reader, 'live-traffic');
    assert.equal(w.verdict, 'warn');
    assert.match(w.next ?? '', /liveTask/);
  });
});

describe('engramia probe: retention-dry-run', () => {
  test('admin: purged count; editor: fail naming role', async () => {
    for (const version of ['0.6.6', 'main'] as const) {
      const s = await startContractServer({ version });
      const r = await runProbe(s, s.keys.admin, 'retention-dry-run');
      assert.equal(r.verdict, 'pass');
      assert.match(r.reason, /retention would purge 0 patterns \(dry run/);
      const e = await runProbe(s, s.keys.editor, 'retention-dry-run');
      assert.equal(e.verdict, 'fail');
      assert.match(e.reason, /role editor lacks permission governance:admin/);
      assert.equal(s.patterns().length, 5);
    }
  });
});

describe('engramia probe: delete-project (destructive)', () => {
  test('not confirmed (dismissed or wrong text): skipped, nothing sent', async () => {
    const s = await startContractServer();
    for (const typed of [undefined, 'p_mai', 'P_MAIN', ' p_main']) {
      const r = await runProbe(s, s.keys.admin, 'delete-project', 'project: p_main', {}, { typed });
      assert.equal(r.verdict, 'skipped');
      assert.equal(r.reason, 'not confirmed: nothing was sent');
      assert.equal(r.ui.previews.length, 1);
    }
    assert.equal(s.hitCount('DELETE'), 0);
    assert.equal(s.patterns().length, 5);
  });
  test('preview lists patterns, jobs and the keys to revoke incl. the caller; exact id sends ONE delete', async () => {
    for (const version of ['0.6.6', 'main'] as const) {
      const s = await startContractServer({ version });
      const r = await runProbe(s, s.keys.admin, 'delete-project', 'project: p_main', {}, { typed: 'p_main' });
      const preview = r.ui.previews[0]!;
      assert.match(preview, /delete 5 patterns/);
      assert.match(preview, /delete 1 job$/m);
      assert.match(preview, /revoke 4 API keys /);
      assert.match(preview, new RegExp(`${s.keys.admin.slice(0, 20).replace(/[-]/g, '\\-')}\\.\\.\\..*← the key this runbook uses`));
      assertNoSecret(preview, s.keys.admin, 'the preview (it shows prefixes only)');
      assert.equal(r.verdict, 'pass', r.reason);
      assert.equal(r.reason, 'deleted project t_acme/p_main: patterns_deleted 5 (stored records of every kind, not only patterns), 1 job, 4 keys revoked — this API key no longer works');
      assert.match(r.next ?? '', /no longer works: issue new keys/);
      assert.equal(r.data?.destructive, true);
      assert.equal(s.hitCount('DELETE', '/v1/governance/projects/p_main'), 1);
      assert.match(String(r.data?.keyState), version === 'main' ? /confirmed: this key now gets 401/ : /auth cache/);
      assertNoLeak(r, ...Object.values(s.keys));
    }
  });
  test('a 500 is not retried and explains the partial delete', async () => {
    const s = await startContractServer({ failDeleteProject: true });
    const r = await runProbe(s, s.keys.admin, 'delete-project', 'project: p_main', {}, { typed: 'p_main' });
    assert.equal(r.verdict, 'fail');
    assert.match(r.reason, /not transactional/);
    assert.equal(s.hitCount('DELETE'), 1);
  });
  test('an unanswered confirmation ends at the check timeout: nothing sent', async () => {
    const s = await startContractServer();
    const { env, ui } = makeEnv(s, s.keys.admin, { typed: 'p_main' });
    (ui as { typedConfirmation: typeof ui.typedConfirmation }).typedConfirmation = () => new Promise<boolean>(() => {});
    const res = await runCheck({ id: 'd', kind: 'engramia', attributes: { probe: 'delete-project', timeout: '300ms' }, body: 'project: p_main' }, env);
    assert.equal(res.verdict, 'error');
    assert.match(res.reason, /timed out/);
    assert.equal(s.hitCount('DELETE'), 0);
  });
  test('a timeout during the DELETE is not retried: outcome unknown', async () => {
    // The server turns slow once the preview is done, so the DELETE itself outlives the 3 s check
    // timeout (3 s leaves the preview time on a loaded machine; it must end before the timeout).
    const slow = await startContractServer({ latencyMs: 0 });
    const { env, ui } = makeEnv(slow, slow.keys.admin, { typed: 'p_main' });
    const origTyped = ui.typedConfirmation.bind(ui);
    (ui as { typedConfirmation: typeof ui.typedConfirmation }).typedConfirmation = async (p, e) => {
      slow.setLatency(4000);
      return origTyped(p, e);
    };
    const res = await runCheck({ id: 'd', kind: 'engramia', attributes: { probe: 'delete-project', timeout: '3s' }, body: 'project: p_main' }, env);
    assert.equal(res.verdict, 'error', res.reason);
    assert.match(res.reason, /^outcome unknown: .*sent once and is not retried/);
    await new Promise((r2) => setTimeout(r2, 4200));
    assert.equal(slow.hitCount('DELETE'), 1);
  });
  test('roles that cannot delete: nothing sent', async () => {
    const s = await startContractServer();
    const e = await runProbe(s, s.keys.editor, 'delete-project', 'project: p_main', {}, { typed: 'p_main' });
    assert.equal(e.verdict, 'fail');
    assert.match(e.reason, /role editor cannot delete a project; nothing was sent/);
    const x = await runProbe(s, s.keys.otherAdmin, 'delete-project', 'project: p_main', {}, { typed: 'p_main' });
    assert.equal(x.verdict, 'fail');
    assert.match(x.reason, /an admin of p_other cannot delete p_main/);
    const empty = await runProbe(s, s.keys.admin, 'delete-project', 'project: ', {}, { typed: '' });
    assert.equal(empty.verdict, 'error');
    assert.equal(s.hitCount('DELETE'), 0);
    assert.equal(e.ui.previews.length + x.ui.previews.length + empty.ui.previews.length, 0);
  });
  test('env mode owner: preview without key listing, delete sent once', async () => {
    const s = await startContractServer({ authMode: 'env' });
    const r = await runProbe(s, s.keys.owner, 'delete-project', 'project: default', {}, { typed: 'default' });
    assert.equal(r.verdict, 'pass', r.reason);
    assert.match(r.ui.previews[0]!, /revoke every API key of the project, including the one this runbook uses/);
    assert.equal(s.hitCount('DELETE'), 1);
  });
});

describe('engramia probes on an env-key deployment (both versions)', () => {
  for (const version of ['0.6.6', 'main'] as const) {
    test(`${version}/env: quota, store-size, learn-writeback, retention dry run and version work with the shared owner role`, async () => {
      const s = await startContractServer({ version, authMode: 'env' });
      const expected: [string, string, 'pass' | 'warn'][] = [
        ['version', '', version === 'main' ? 'warn' : 'pass'],
        ['quota', '', 'pass'],
        ['store-size', 'importedPairs: 5', 'pass'],
        ['learn-writeback', '', 'pass'],
        ['retention-dry-run', '', 'pass'],
        ['live-traffic', '', 'pass'],
      ];
      for (const [probe, body, verdict] of expected) {
        const r = await runProbe(s, s.keys.owner, probe, body);
        assert.equal(r.verdict, verdict, `${probe}: ${r.reason}`);
        assertNoLeak(r, s.keys.owner);
      }
      assert.equal(s.hitCount('POST', '/v1/learn'), 1);
    });
  }
});

describe('engramia kind: body, attributes, conditions, masking', () => {
  test('read-only and destructive probes are told apart for the orchestrator', async () => {
    assert.equal(engramiaKind.isParallelSafe('', { probe: 'quota' }), true);
    assert.equal(engramiaKind.isParallelSafe('', { probe: 'learn-writeback' }), false);
    // Inputs a probe needs: its placeholders plus the connection; the version probe needs no key.
    assert.deepEqual([...engramiaKind.inputsUsed!('', { probe: 'version' })], ['baseUrl']);
    assert.deepEqual([...engramiaKind.inputsUsed!('importedPairs: {{pairs}}', { probe: 'store-size' })].sort(), ['apiKey', 'baseUrl', 'pairs']);
    assert.deepEqual([...engramiaKind.inputsUsed!('baseUrl: {{other}}\napiKey: {{k}}', { probe: 'quota' })].sort(), ['k', 'other']);
    assert.equal(engramiaKind.isParallelSafe('', { probe: 'delete-project' }), false);
    assert.equal(isDestructiveEngramiaCheck({ probe: 'delete-project' }), true);
    assert.equal(isDestructiveEngramiaCheck({ probe: 'retention-dry-run' }), false);
  });
  test('unknown probe and bad body lines are reported before running', async () => {
    const s = await startContractServer();
    const a = await runProbe(s, s.keys.reader, 'nope');
    assert.equal(a.verdict, 'error');
    assert.match(a.reason, /invalid attribute: probe/);
    const b = await runProbe(s, s.keys.reader, 'quota', 'this is not a parameter');
    assert.equal(b.verdict, 'error');
    assert.equal(s.hitCount(), 0);
  });
  test('?? conditions refine the verdict using the probe data', async () => {
    const s = await startContractServer();
    const ok = await runProbe(s, s.keys.reader, 'quota', '?? json patternsUsed >= 5\n?? json planTier == developer');
    assert.equal(ok.verdict, 'pass');
    assert.equal(ok.conditions?.length, 2);
    const bad = await runProbe(s, s.keys.reader, 'quota', '?? json patternsUsed >= 1000 -- import more');
    assert.equal(bad.verdict, 'fail');
    assert.equal(bad.next, 'import more');
  });
  test('inputs are substituted in the body; a missing input is named', async () => {
    const s = await startContractServer();
    const r = await runProbe(s, s.keys.reader, 'store-size', 'importedPairs: {{pairs}}', {}, { inputs: { pairs: '5' } });
    assert.equal(r.verdict, 'pass');
    const m = await runProbe(s, s.keys.reader, 'store-size', 'importedPairs: {{pairs}}');
    assert.equal(m.verdict, 'error');
    assert.equal(m.reason, 'missing input: pairs');
  });
  test('with the engine masking on, secrets never appear either', async () => {
    const s = await startContractServer();
    const r = await runProbe(s, s.keys.admin, 'role', '', {}, { secrets: [s.keys.admin] });
    assertNoLeak(r, s.keys.admin);
    assert.equal(r.verdict, 'pass');
  });
});
