/** Shared test setup: an engine environment that runs checks against a contract server (test/support/contractServer.ts starts them). */
import { CheckRegistry } from '../../../src/core/checks/registry';
import { runCheck, silentLogger, type CheckSpec, type EngineEnvironment } from '../../../src/core/checks/engine';
import { manualKind } from '../../../src/core/checks/kinds/manual';
import type { CheckKind, CheckRun, OperatorUi } from '../../../src/core/checks/types';
import { engramiaKind } from '../../../src/core/engramia';
import type { EngramiaServer } from '../../servers/engramia/server';

export interface RecordingUi extends OperatorUi {
  readonly previews: string[];
  readonly confirms: string[];
}

/** `typed`: what the operator types into the typed confirmation (undefined = dismissed). */
export function recordingUi(typed?: string, confirmAnswer: 'yes' | 'no' | 'skip' | undefined = 'yes'): RecordingUi {
  const previews: string[] = [];
  const confirms: string[] = [];
  return {
    previews,
    confirms,
    async confirm(question) {
      confirms.push(question);
      return confirmAnswer;
    },
    async typedConfirmation(preview, expected) {
      previews.push(preview);
      return typed !== undefined && typed === expected;
    },
  };
}

export interface EnvOptions {
  readonly inputs?: Record<string, string>;
  readonly typed?: string;
  /** Secrets the engine masks; default none, so leak assertions see raw kind output. */
  readonly secrets?: string[];
  readonly extraKinds?: CheckKind<any>[];
}

export function makeEnv(server: EngramiaServer, apiKey: string, options: EnvOptions = {}): { env: EngineEnvironment; ui: RecordingUi } {
  const registry = new CheckRegistry().register(engramiaKind).register(manualKind);
  for (const k of options.extraKinds ?? []) registry.register(k);
  const ui = recordingUi(options.typed);
  const env: EngineEnvironment = {
    registry,
    inputs: { baseUrl: server.url, apiKey, ...(options.inputs ?? {}) },
    secrets: options.secrets ?? [],
    cwd: process.cwd(),
    trusted: true,
    ui,
    log: silentLogger,
    services: {},
  };
  return { env, ui };
}

export function probeSpec(probe: string, body = '', attributes: Record<string, string> = {}): CheckSpec {
  return { id: `t.${probe}`, kind: 'engramia', attributes: { probe, ...attributes }, body };
}

export async function runProbe(server: EngramiaServer, apiKey: string, probe: string, body = '', attributes: Record<string, string> = {}, options: EnvOptions = {}): Promise<CheckRun & { ui: RecordingUi }> {
  const { env, ui } = makeEnv(server, apiKey, options);
  const run = await runCheck(probeSpec(probe, body, attributes), env);
  return Object.assign(run, { ui });
}
