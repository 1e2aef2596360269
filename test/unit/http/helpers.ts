import { after, before } from 'node:test';
import { CheckRegistry } from '../../../src/core/checks/registry';
import { runCheck, silentLogger, type EngineEnvironment, type RunOptions } from '../../../src/core/checks/engine';
import type { CheckRun } from '../../../src/core/checks/types';
import { createHttpKind, type HttpKind, type HttpKindOptions } from '../../../src/core/http';
import { startFaultyServer, type FaultyServer } from '../../servers/faulty/server';

export const API_KEY = 'engramia_sk_' + 'Q8kw8Q-8Eabcdefghijklmnopqrstuvwxyz0123456_'.slice(0, 43);

export interface Confirmations {
  /** Answer to typed confirmations (default: false). */
  answer?: boolean | ((preview: string, expected: string) => Promise<boolean>);
  /** Every preview/expected pair asked. */
  asked?: { preview: string; expected: string }[];
}

export function makeEnv(kind: HttpKind, inputs: Record<string, string> = {}, secrets: string[] = [], confirmations: Confirmations = {}): EngineEnvironment {
  return {
    registry: new CheckRegistry().register(kind),
    inputs,
    secrets,
    cwd: process.cwd(),
    trusted: true,
    ui: {
      async confirm() {
        return 'yes';
      },
      async typedConfirmation(preview: string, expected: string) {
        confirmations.asked?.push({ preview, expected });
        const a = confirmations.answer;
        return typeof a === 'function' ? a(preview, expected) : (a ?? false);
      },
    },
    log: silentLogger,
    services: {},
  };
}

let seq = 0;
export function httpCheck(env: EngineEnvironment, body: string, attributes: Record<string, string> = {}, options: RunOptions = {}): Promise<CheckRun> {
  return runCheck({ id: `http-${++seq}`, kind: 'http', attributes, body }, env, options);
}

export function newKind(options: HttpKindOptions = {}): HttpKind {
  return createHttpKind(options);
}

export interface FaultyFixture {
  readonly server: FaultyServer;
  readonly kind: HttpKind;
}

/** Registers before/after hooks that start the faulty server and an http kind, and close both. */
export function useFaultyServer(): FaultyFixture {
  const fx = {} as { server: FaultyServer; kind: HttpKind };
  before(async () => {
    fx.server = await startFaultyServer();
    fx.kind = newKind();
  });
  after(async () => {
    await fx.kind.dispose();
    await fx.server.close();
  });
  return fx;
}
