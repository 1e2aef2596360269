/**
 * The model of a pass condition (`?? json pattern_count >= 1200`), shared by every check kind.
 * The grammar is described in docs/checks/http.md §1.
 */
import type { ConditionVerdict } from '../types';
import type { BoundedRegex } from './regex';

/** A literal in a condition: number, string, boolean, null, or a list (after `in`). */
export type Literal = number | string | boolean | null | readonly Literal[];

export type Operator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'includes' | 'exists' | '!exists' | 'matches' | 'in' | 'between';

/** A JSON path segment: a field name or an array index. */
export type PathSegment = string | number;

export type Predicate =
  | { readonly op: '==' | '!=' | 'includes'; readonly value: Literal }
  | { readonly op: '<' | '<=' | '>' | '>='; readonly value: number }
  | { readonly op: 'exists' | '!exists' }
  | { readonly op: 'matches'; readonly regex: BoundedRegex }
  | { readonly op: 'in'; readonly values: readonly Literal[] }
  | { readonly op: 'between'; readonly low: number; readonly high: number };

/** Subject names the grammar knows. A kind offers a subset (parseConditions `subjects`). */
export const SUBJECTS = ['status', 'header', 'json', 'body', 'duration', 'exit', 'stdout', 'stderr', 'count'] as const;
export type SubjectName = (typeof SUBJECTS)[number];

export interface Condition {
  /** The condition as written, without `??`/`??warn` and without the trailing comment. */
  readonly text: string;
  /** 1-based line number in the check body. */
  readonly line: number;
  /** `warn` for `??warn`: failing gives the verdict warn instead of fail. */
  readonly severity: 'fail' | 'warn';
  /** `status`, `header`, `json`, `body`, `duration`, `exit`, `stdout`, `stderr` or `count`. */
  readonly subject: SubjectName;
  /** Header name for `header`. */
  readonly arg?: string;
  /** JSON path for `json` (empty = the whole document) and `count`. */
  readonly path?: readonly PathSegment[];
  /** The path as written (`matches[0].reuse_tier`), for messages. */
  readonly pathText?: string;
  /** `count … where <field> <op> <value>`. */
  readonly where?: { readonly path: readonly PathSegment[]; readonly pathText: string; readonly predicate: Predicate; readonly text: string };
  readonly predicate: Predicate;
  /** The one-line next step written after ` -- ` or ` # `. */
  readonly next?: string;
  /**
   * Inputs (`{{name}}`) left in the line because parseConditions ran without `inputs` (validation).
   * Such a condition fails if evaluated; parse with `inputs` to run it.
   */
  readonly unresolved?: readonly string[];
}

/** What a kind provides for a subject: `{ name: 'header', arg: 'content-type' }`, `{ name: 'json' }`. */
export interface SubjectRef {
  readonly name: string;
  readonly arg?: string;
}

/**
 * Returns the subject's value (`undefined` = absent). For `json` return the whole parsed document:
 * the grammar walks the path. Throw when the subject cannot be produced (body is not JSON …);
 * the condition then fails with the error's message.
 */
export type SubjectResolver = (subject: SubjectRef) => unknown;

/** A condition's verdict with the extras kinds use for their one-line reason. */
export interface ConditionOutcome extends ConditionVerdict {
  readonly condition: Condition;
  /** The next step written on the condition, if any. */
  readonly next?: string;
  /** Set when a JSON field the condition needs is missing (schema drift): the dotted path. */
  readonly missing?: string;
  /** Set when the subject could not be produced (the resolver threw): its message. */
  readonly subjectError?: string;
}

export interface ParseOptions {
  /** Subjects the kind offers; others are reported as errors. Default: all. */
  readonly subjects?: readonly string[];
  /** When given, `{{name}}` in condition lines is substituted (missing inputs become errors). */
  readonly inputs?: Readonly<Record<string, string>>;
}

export interface ParsedConditions {
  readonly conditions: Condition[];
  /** One line per invalid condition: `line 7: unknown operator "=>" …`. */
  readonly errors: string[];
  /** The body without its condition lines. */
  readonly rest: string;
}
