/**
 * Edit proposals: a process check may propose a change to a file (e.g. the compose file's image
 * tag) instead of making it. The script writes the file's full new content to
 * `$RUNBOOK_PROPOSED_EDIT`; the kind shows the diff, asks the operator (`ui.confirmEdit`, else a
 * typed confirmation of the diff) and only then writes the file. Scripts never edit it themselves.
 */
import { lstat, readFile, realpath, rename, stat, writeFile, chmod } from 'node:fs/promises';
import { isInside } from '../evidence/safeFile';
import * as path from 'node:path';
import type { CheckContext, CheckResult } from '../checks/types';
import { untilAborted } from '../checks/abort';

/** A small line diff (LCS) in unified style, with `context` unchanged lines around each change. */
export function lineDiff(before: string, after: string, context = 2): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  // LCS table; files proposed for edits are small (compose files, configs).
  const dp: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) dp[i]![j] = a[i] === b[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  const ops: { t: ' ' | '-' | '+'; s: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) ops.push({ t: ' ', s: a[i++]! }), j++;
    else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) ops.push({ t: '-', s: a[i++]! });
    else ops.push({ t: '+', s: b[j++]! });
  }
  while (i < n) ops.push({ t: '-', s: a[i++]! });
  while (j < m) ops.push({ t: '+', s: b[j++]! });
  const keep = ops.map((o, k) => o.t !== ' ' || ops.slice(Math.max(0, k - context), k + context + 1).some((x) => x.t !== ' '));
  const lines: string[] = [];
  let skipped = false;
  ops.forEach((o, k) => {
    if (keep[k]) {
      lines.push(`${o.t} ${o.s}`);
      skipped = false;
    } else if (!skipped) {
      lines.push('  …');
      skipped = true;
    }
  });
  return lines.join('\n');
}

/** Why `target` may not be edited (not a regular file, a symlink, outside `root`), or undefined. */
async function unsafeTarget(target: string, root: string): Promise<string | undefined> {
  let st;
  try {
    st = await lstat(target);
  } catch {
    return undefined; // a missing file is reported when it is read
  }
  if (st.isSymbolicLink()) return 'it is a symbolic link';
  if (!st.isFile()) return 'it is not a regular file';
  try {
    const [realRoot, realTarget] = await Promise.all([realpath(root), realpath(target)]);
    if (!isInside(realRoot, realTarget)) return `it resolves outside ${root}`;
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

/** Applies a proposed edit after the operator confirms it. */
export async function applyProposedEdit(proposalFile: string, inputName: string, ctx: CheckContext): Promise<CheckResult> {
  const rel = ctx.inputs[inputName];
  if (!rel) return { verdict: 'error', reason: `attribute proposesEdit names input "${inputName}", which has no value`, next: `set the ${inputName} input to the file to edit` };
  const target = path.resolve(ctx.cwd, rel);
  // The runbook names the target: only a regular file inside the check's folder, never through a
  // symlink (a hostile runbook must not make the operator approve an edit of ~/.bashrc).
  const unsafe = await unsafeTarget(target, ctx.cwd);
  if (unsafe) return { verdict: 'fail', reason: `refusing to edit ${rel}: ${unsafe}`, next: `set the ${inputName} input to a regular file inside ${ctx.cwd}` };
  let after: string;
  try {
    after = await readFile(proposalFile, 'utf8');
  } catch {
    return { verdict: 'error', reason: 'the script proposed no edit: nothing was written to $RUNBOOK_PROPOSED_EDIT', next: 'write the full new file content to "$RUNBOOK_PROPOSED_EDIT"' };
  }
  let before: string;
  try {
    before = await readFile(target, 'utf8');
  } catch (e) {
    return { verdict: 'fail', reason: `cannot read ${target}: ${(e as Error).message}`, next: `check the ${inputName} input` };
  }
  if (before === after) return { verdict: 'pass', reason: `${rel} already has the proposed content: nothing to change`, data: { file: target, changed: false } };
  const diff = lineDiff(before, after);
  ctx.emit({ stream: 'info', text: `Proposed edit of ${target}:\n${diff}\n` });
  let confirmed: boolean;
  const asked = ctx.ui.confirmEdit ? ctx.ui.confirmEdit(target, before, after) : ctx.ui.typedConfirmation(ctx.mask(`Edit ${target}:\n\n${diff}`), 'apply');
  confirmed = await untilAborted(asked, ctx.signal);
  // The file may have changed while the operator looked at the diff: never overwrite that change.
  if (confirmed && (await readFile(target, 'utf8')) !== before) {
    return { verdict: 'fail', reason: `${rel} changed while the edit was being reviewed, so it was not applied`, next: 'run the check again to see a fresh diff' };
  }
  if (!confirmed) {
    return { verdict: 'fail', reason: `the edit of ${rel} was not confirmed, so the file is unchanged`, next: 'review the diff and run the check again to apply it', details: '```diff\n' + diff + '\n```', data: { file: target, changed: false } };
  }
  const recheck = await unsafeTarget(target, ctx.cwd);
  if (recheck) return { verdict: 'fail', reason: `refusing to edit ${rel}: ${recheck}`, next: 'run the check again' };
  const mode = (await stat(target)).mode & 0o777;
  const tmp = `${target}.runbook-${process.pid}.tmp`;
  await writeFile(tmp, after, { encoding: 'utf8', flag: 'wx' });
  await chmod(tmp, mode);
  await rename(tmp, target);
  return { verdict: 'pass', reason: `edit of ${rel} applied after confirmation`, details: '```diff\n' + diff + '\n```', data: { file: target, changed: true } };
}
