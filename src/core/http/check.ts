/**
 * An `http` check body, parsed once: its `??` conditions (without inputs: a `{{placeholder}}` is
 * remembered) and its request template. Validation, the run and the secret-approval planner
 * (src/core/secrets/approvals.ts) all read the same parse from `httpChecks`, keyed by the body
 * text, so a check is parsed once however often it is validated and run; an edited check has
 * another body and is parsed afresh. Inputs are applied per run, to the parsed form.
 */
import { parseConditions, type ParsedConditions } from '../checks/conditions';
import { parseRequestTemplate, type RawRequest } from './request';

export const HTTP_SUBJECTS = ['status', 'header', 'json', 'body', 'duration'] as const;

export interface ParsedHttpCheck {
  /** Conditions parsed without inputs (see Condition.unresolved) and the rest of the body. */
  readonly conditions: ParsedConditions;
  /** The request template, or why the request part cannot be read. */
  readonly request: { readonly ok: true; readonly value: RawRequest } | { readonly ok: false; readonly error: string };
}

/** Parses a body (no cache). */
export function parseHttpCheck(body: string): ParsedHttpCheck {
  const conditions = parseConditions(body, { subjects: HTTP_SUBJECTS });
  try {
    return { conditions, request: { ok: true, value: parseRequestTemplate(conditions.rest) } };
  } catch (err) {
    return { conditions, request: { ok: false, error: err instanceof Error ? err.message : String(err) } };
  }
}

/** The message validation gives for a parsed body, or undefined when it is valid. */
export function httpCheckError(parsed: ParsedHttpCheck): string | undefined {
  const errors = parsed.conditions.errors;
  if (errors.length) return `invalid condition: ${errors[0]}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}`;
  return parsed.request.ok ? undefined : parsed.request.error;
}

export interface HttpCheckCacheLimits {
  /** Most bodies kept (least recently used go first). */
  readonly entries?: number;
  /** Most characters of body text kept in all. */
  readonly chars?: number;
}

/** Parses of recent bodies, least recently used dropped first; bounded in entries and characters. */
export class HttpCheckCache {
  private readonly map = new Map<string, ParsedHttpCheck>();
  private chars = 0;
  private readonly maxEntries: number;
  private readonly maxChars: number;

  constructor(
    private readonly parse: (body: string) => ParsedHttpCheck = parseHttpCheck,
    limits: HttpCheckCacheLimits = {},
  ) {
    this.maxEntries = limits.entries ?? 512;
    this.maxChars = limits.chars ?? 8 * 1024 * 1024;
  }

  get(body: string): ParsedHttpCheck {
    const hit = this.map.get(body);
    if (hit) {
      this.map.delete(body);
      this.map.set(body, hit);
      return hit;
    }
    const parsed = this.parse(body);
    if (body.length <= this.maxChars) {
      this.map.set(body, parsed);
      this.chars += body.length;
      for (const old of this.map.keys()) {
        if (this.map.size <= this.maxEntries && this.chars <= this.maxChars) break;
        this.map.delete(old);
        this.chars -= old.length;
      }
    }
    return parsed;
  }

  get size(): number {
    return this.map.size;
  }
}

/** The parses every http kind instance and the approval planner share. */
export const httpChecks = new HttpCheckCache();
