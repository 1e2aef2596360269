/**
 * The registry of check kinds, and validation of a check's info-string attributes.
 * Attributes arrive as strings (from `{ key=value }` or `{"key":"value"}`); zod coerces them.
 */
import * as z from 'zod';
import type { CheckKind } from './types';

/** "10s", "500ms", "2m", "1500" (ms) → milliseconds. */
export function parseDuration(value: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return Math.round(unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000);
}

export const booleanAttribute = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (['true', 'yes', '1', 'on', ''].includes(s)) return true;
  if (['false', 'no', '0', 'off'].includes(s)) return false;
  return v;
}, z.boolean());

export const durationAttribute = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? v : parseDuration(v);
    if (ms === undefined || !(ms > 0)) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (use e.g. 10s, 500ms, 2m)` });
      return z.NEVER;
    }
    return ms;
  });

/** Attributes every check may carry, whatever its kind. */
export const commonAttributes = z.object({
  id: z.string().regex(/^[A-Za-z0-9][\w.:-]*$/, 'ids use letters, digits, "-", "_", ".", ":"').optional(),
  timeout: durationAttribute.optional(),
  excludeFromRunAll: booleanAttribute.optional(),
  title: z.string().optional(),
});
export type CommonAttributes = z.infer<typeof commonAttributes>;
export const COMMON_KEYS = new Set(Object.keys(commonAttributes.shape));

/** One line from a zod error: `timeout: "ten" is not a duration`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`)
    .join('; ');
}

export interface ValidatedAttributes<A> {
  readonly common: CommonAttributes;
  readonly specific: A;
}

export class CheckRegistry {
  private readonly byWord = new Map<string, CheckKind<any>>();
  private readonly list: CheckKind<any>[] = [];

  register<A>(kind: CheckKind<A>): this {
    for (const word of [kind.name, ...(kind.aliases ?? [])]) {
      if (this.byWord.has(word)) throw new Error(`check kind "${word}" is registered twice`);
      this.byWord.set(word, kind);
    }
    this.list.push(kind);
    return this;
  }

  /** The kind an info-string word names, or undefined (then the fence is plain code, not a check). */
  resolve(word: string): CheckKind<any> | undefined {
    return this.byWord.get(word.toLowerCase());
  }

  kinds(): readonly CheckKind<any>[] {
    return this.list;
  }

  /** Words (names and aliases) that make a fence a check: the notebook's supported languages. */
  words(): string[] {
    return [...this.byWord.keys()];
  }

  /** Validates the common and the kind's own attributes; returns a one-line error instead of throwing. */
  validate<A>(kind: CheckKind<A>, attributes: Readonly<Record<string, string>>): { ok: true; value: ValidatedAttributes<A> } | { ok: false; error: string } {
    const common: Record<string, string> = {};
    const specific: Record<string, string> = {};
    for (const [k, v] of Object.entries(attributes)) (COMMON_KEYS.has(k) ? common : specific)[k] = v;
    const c = commonAttributes.safeParse(common);
    const s = kind.attributes.safeParse(specific);
    const errors = [c.success ? '' : describeZodError(c.error), s.success ? '' : describeZodError(s.error)].filter(Boolean);
    if (errors.length) return { ok: false, error: `invalid attribute: ${errors.join('; ')}` };
    return { ok: true, value: { common: c.data!, specific: s.data as A } };
  }
}
