/**
 * Secret masking. Every text that leaves a check (outputs, reasons, details, logs, evidence) is
 * passed through a Masker built from the secret values in play. Values are replaced wherever they
 * occur, also percent-encoded or base64-encoded (a server may echo a header back in any form).
 */
export const MASK = '••••••';

/** Shortest secret worth masking; shorter values would blank out ordinary words. */
const MIN_SECRET_LENGTH = 4;

export class Masker {
  private readonly needles: string[];

  constructor(secrets: Iterable<string | undefined>) {
    const set = new Set<string>();
    for (const s of secrets) {
      if (!s || s.length < MIN_SECRET_LENGTH) continue;
      set.add(s);
      const enc = encodeURIComponent(s);
      if (enc !== s) set.add(enc);
      set.add(Buffer.from(s, 'utf8').toString('base64').replace(/=+$/, ''));
    }
    // Longest first, so that a secret containing another is masked whole.
    this.needles = [...set].sort((a, b) => b.length - a.length);
  }

  get empty(): boolean {
    return this.needles.length === 0;
  }

  mask(text: string): string {
    if (!text || this.needles.length === 0) return text;
    let out = text;
    for (const n of this.needles) if (out.includes(n)) out = out.split(n).join(MASK);
    return out;
  }

  /** Masks every string inside a JSON-like value. */
  maskDeep<T>(value: T): T {
    if (typeof value === 'string') return this.mask(value) as unknown as T;
    if (Array.isArray(value)) return value.map((v) => this.maskDeep(v)) as unknown as T;
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = this.maskDeep(v);
      return out as T;
    }
    return value;
  }
}
