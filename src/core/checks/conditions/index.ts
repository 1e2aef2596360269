/**
 * The pass-condition grammar (`?? …` lines), shared by every check kind. See docs/checks/http.md §1.
 */
export { parseConditions, parseConditionLine, isConditionLine } from './parse';
export { evaluateConditions, summarizeConditions, jsonPathsOf, needsJson, predicateText, render as renderValue, equals, toNumber } from './evaluate';
export type { ConditionSummary, EvaluateOptions } from './evaluate';
export { parsePath, formatPath, walkPath } from './path';
export { SUBJECTS } from './types';
export { compileBoundedRegex, MAX_MATCH_SUBJECT, RegexSyntaxError, type BoundedRegex } from './regex';
export type { Condition, ConditionOutcome, Literal, Operator, ParseOptions, ParsedConditions, PathSegment, Predicate, SubjectName, SubjectRef, SubjectResolver } from './types';
