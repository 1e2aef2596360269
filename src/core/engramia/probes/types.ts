/** What every Engramia probe gets and returns. */
import type { CheckContext, CheckResult } from '../../checks/types';
import type { EngramiaClient } from '../client';

export interface ProbeInput {
  readonly client: EngramiaClient;
  /** The API key in use (never put it into a result; use keyPrefix when a key must be named). */
  readonly apiKey: string;
  /** Parameters from the info string and the body's `key: value` lines, inputs substituted. */
  readonly params: Readonly<Record<string, string>>;
  readonly ctx: CheckContext;
}

export type Probe = (input: ProbeInput) => Promise<CheckResult>;

/** A numeric parameter, or the default; throws a one-line error for a non-number. */
export function numberParam(params: Readonly<Record<string, string>>, name: string, fallback?: number): number | undefined {
  const raw = params[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`parameter ${name} must be a number (got "${raw}")`);
  return n;
}

export function pct(ratio: number): string {
  const p = ratio * 100;
  return `${p < 10 ? p.toFixed(1) : Math.round(p)} %`;
}
