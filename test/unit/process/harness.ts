/**
 * Test harness for process checks: a registry with shell/python/manual, a scripted operator UI,
 * and `run()` that goes through the real engine (`runCheck`) and collects streamed output.
 */
import { readFileSync } from 'node:fs';
import { runCheck, silentLogger, type RunOptions } from '../../../src/core/checks/engine';
import { CheckRegistry } from '../../../src/core/checks/registry';
import { manualKind } from '../../../src/core/checks/kinds/manual';
import type { CheckRun, CheckServices, OperatorUi, OutputChunk } from '../../../src/core/checks/types';
import { pythonKind, shellKind } from '../../../src/core/process';

export function registry(): CheckRegistry {
  return new CheckRegistry().register(shellKind).register(pythonKind).register(manualKind);
}

export interface ScriptedUi extends OperatorUi {
  readonly asked: { kind: 'confirm' | 'typed' | 'edit'; text: string; expected?: string; before?: string; after?: string }[];
}

/** An operator who answers `confirm` with `answer`, typed confirmations with `typed`, edits with `edit`. */
export function scriptedUi(o: { answer?: 'yes' | 'no' | 'skip'; typed?: boolean; edit?: boolean | undefined; noConfirmEdit?: boolean } = {}): ScriptedUi {
  const asked: ScriptedUi['asked'] = [];
  const ui: ScriptedUi = {
    asked,
    async confirm(question, detail) {
      asked.push({ kind: 'confirm', text: `${question}\n${detail ?? ''}` });
      return o.answer ?? 'yes';
    },
    async typedConfirmation(preview, expected) {
      asked.push({ kind: 'typed', text: preview, expected });
      return o.typed ?? true;
    },
  };
  if (!o.noConfirmEdit) {
    (ui as { confirmEdit?: OperatorUi['confirmEdit'] }).confirmEdit = async (file, before, after) => {
      asked.push({ kind: 'edit', text: file, before, after });
      return o.edit ?? true;
    };
  }
  return ui;
}

export interface RunSetup {
  readonly inputs?: Record<string, string>;
  readonly secrets?: string[];
  readonly cwd?: string;
  readonly trusted?: boolean;
  readonly ui?: OperatorUi;
  readonly services?: CheckServices;
  readonly signal?: AbortSignal;
  readonly attributes?: Record<string, string>;
  readonly id?: string;
  readonly label?: string;
  /** Sees each chunk as it is emitted, while the check is still running. */
  readonly onChunk?: (chunk: OutputChunk) => void;
}

export interface Ran {
  readonly run: CheckRun;
  readonly chunks: OutputChunk[];
  readonly output: string;
}

export async function run(kind: string, body: string, setup: RunSetup = {}): Promise<Ran> {
  const chunks: OutputChunk[] = [];
  const options: RunOptions = { signal: setup.signal, emit: (c) => { chunks.push(c); setup.onChunk?.(c); } };
  const result = await runCheck(
    { id: setup.id ?? 'test.check', kind, attributes: setup.attributes ?? {}, body, label: setup.label },
    {
      registry: registry(),
      inputs: setup.inputs ?? {},
      secrets: setup.secrets ?? [],
      cwd: setup.cwd ?? process.cwd(),
      trusted: setup.trusted ?? true,
      ui: setup.ui ?? scriptedUi(),
      log: silentLogger,
      services: setup.services ?? {},
    },
    options,
  );
  return { run: result, chunks, output: chunks.map((c) => c.text).join('') };
}

/** True while a process with this pid exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie (state Z) has ended; it only waits for its (re)parent to reap it.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
