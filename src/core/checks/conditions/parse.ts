/**
 * Parser for `??` condition lines. See docs/checks/http.md §1 for the grammar:
 *   ??[warn] <subject> <operator> [<value>]   [-- next step | # next step]
 */
import { MissingInputError, placeholders, substitute } from '../template';
import { formatPath, parsePath } from './path';
import { compileBoundedRegex, type BoundedRegex } from './regex';
import { SUBJECTS, type Condition, type Literal, type ParseOptions, type ParsedConditions, type PathSegment, type Predicate, type SubjectName } from './types';

const CONDITION_LINE = /^\s*\?\?/;
const OPERATOR_WORDS = ['==', '!=', '<', '<=', '>', '>=', 'includes', 'contains', 'exists', '!exists', 'not', 'matches', 'in', 'between'];
const OPERATOR_HELP = '==, !=, <, <=, >, >=, includes, exists, !exists, matches, in, between';

class ConditionSyntaxError extends Error {}

/** True for a line that is a condition (`?? …` or `??warn …`). */
export function isConditionLine(line: string): boolean {
  return CONDITION_LINE.test(line);
}

export function parseConditions(body: string, options: ParseOptions = {}): ParsedConditions {
  const conditions: Condition[] = [];
  const errors: string[] = [];
  const restLines: string[] = [];
  const allowed = options.subjects ? new Set(options.subjects) : undefined;
  const lines = body.split(/\r?\n/);
  lines.forEach((raw, index) => {
    if (!isConditionLine(raw)) {
      restLines.push(raw);
      return;
    }
    const lineNo = index + 1;
    let text = raw;
    let unresolved: string[] | undefined;
    if (options.inputs) {
      try {
        text = substitute(raw, options.inputs);
      } catch (err) {
        errors.push(`line ${lineNo}: ${err instanceof MissingInputError ? err.message : String(err)}`);
        return;
      }
    } else {
      // Validation without inputs: a placeholder stands for a value (0 parses as a number, a word,
      // a regex …); the condition remembers it and fails if it is ever evaluated unsubstituted.
      const names = placeholders(raw);
      if (names.length) {
        unresolved = names;
        text = raw.replace(/\{\{\s*[A-Za-z_][\w.-]*\s*\}\}/g, '0');
      }
    }
    try {
      const parsedLine = parseConditionLine(text, lineNo);
      const c: Condition = unresolved ? { ...parsedLine, text: conditionTextOf(raw), unresolved } : parsedLine;
      if (allowed && !allowed.has(c.subject) && !(c.subject === 'count' && allowed.has('json'))) {
        errors.push(`line ${lineNo}: this check kind has no "${c.subject}" (use ${[...allowed].join(', ')})`);
        return;
      }
      conditions.push(c);
    } catch (err) {
      errors.push(`line ${lineNo}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  return { conditions, errors, rest: restLines.join('\n') };
}

/** Parses one `??` line; throws a ConditionSyntaxError with a readable message. */
export function parseConditionLine(line: string, lineNo = 1): Condition {
  const m = /^\s*\?\?(warn\b)?(.*)$/.exec(line);
  if (!m) throw new ConditionSyntaxError('a condition starts with "??"');
  const severity = m[1] ? 'warn' : 'fail';
  const body = m[2]!;
  if (body && !/^\s/.test(body)) throw new ConditionSyntaxError(`put a space after "??${m[1] ?? ''}" (or use "??warn")`);
  const c = new Cursor(body);
  c.skipWs();
  if (c.atEnd()) throw new ConditionSyntaxError('empty condition: write e.g. "?? status == 200"');

  const subjectWord = c.readIdent();
  if (!(SUBJECTS as readonly string[]).includes(subjectWord)) {
    throw new ConditionSyntaxError(`unknown subject "${subjectWord}" (use ${SUBJECTS.join(', ')})`);
  }
  const subject = subjectWord as SubjectName;
  let arg: string | undefined;
  let path: PathSegment[] | undefined;
  let pathText: string | undefined;
  let where: Condition['where'];

  if (subject === 'header') {
    if (c.atEnd() || isOperatorAhead(c)) throw new ConditionSyntaxError('"header" needs a name: header content-type includes json');
    arg = c.readWord().toLowerCase();
  } else if (subject === 'json' || subject === 'count') {
    if (!c.atEnd() && isPathAhead(c, subject === 'count')) {
      pathText = c.readWord();
      path = pathOrThrow(pathText);
    } else if (subject === 'count') {
      throw new ConditionSyntaxError('"count" needs the path of an array: count matches > 0');
    } else {
      path = [];
    }
    if (subject === 'count' && c.peekWord() === 'where') {
      c.readWord();
      const start = c.pos;
      if (c.atEnd()) throw new ConditionSyntaxError('"where" needs a condition: where reuse_tier in [duplicate, adapt]');
      const fieldText = c.readWord();
      const fieldPath = pathOrThrow(fieldText);
      const predicate = readPredicate(c, false);
      where = { path: fieldPath, pathText: formatPath(fieldPath), predicate, text: c.slice(start, c.pos).trim() };
    }
  }

  if (c.atEnd()) throw new ConditionSyntaxError(`missing operator after "${c.slice(0).trim()}" (use ${OPERATOR_HELP})`);
  const predicate = readPredicate(c, true);
  c.skipWs();
  if (!c.atEnd()) throw new ConditionSyntaxError(`unexpected "${c.restUntilComment()}" after the condition`);
  const next = c.comment();
  const text = c.slice(0, c.commentStart ?? undefined).trim();
  return {
    text,
    line: lineNo,
    severity,
    subject,
    ...(arg !== undefined ? { arg } : {}),
    ...(path !== undefined ? { path, pathText: path.length ? formatPath(path) : '$' } : {}),
    ...(where ? { where } : {}),
    predicate,
    ...(next ? { next } : {}),
  };
}

/** The condition part of a line as written: without `??`/`??warn` and without the trailing comment. */
function conditionTextOf(line: string): string {
  const body = line.replace(/^\s*\?\?(warn\b)?/, '');
  const cut = findCommentStart(body);
  return body.slice(0, cut ?? undefined).trim();
}

function pathOrThrow(text: string): PathSegment[] {
  const p = parsePath(text);
  if (!p.ok) throw new ConditionSyntaxError(p.error);
  return p.path;
}

function isOperatorWord(w: string): boolean {
  return OPERATOR_WORDS.includes(w) || /^[=!<>]/.test(w);
}

function isOperatorAhead(c: Cursor): boolean {
  return isOperatorWord(c.peekWord());
}

/**
 * After `json`/`count`: is the next word a path? Symbolic operators never are. A word that is also
 * an operator (`matches`, `in` …) is a path when an operator follows it (`json matches exists`).
 * For `count` the path is required, so any non-symbolic word is the path.
 */
function isPathAhead(c: Cursor, required: boolean): boolean {
  const save = c.pos;
  const w = c.readWord();
  const after = c.atEnd() ? '' : c.readWord();
  c.pos = save;
  if (/^[=!<>]/.test(w)) return false;
  if (required || !OPERATOR_WORDS.includes(w)) return true;
  return isOperatorWord(after);
}

/** Reads `<op> [value]`. `restOfLine`: after ==, != and includes the rest of the line is the value. */
function readPredicate(c: Cursor, restOfLine: boolean): Predicate {
  const opWord = c.readOperator();
  switch (opWord) {
    case '==':
    case '!=':
    case 'includes':
    case 'contains': {
      const op = opWord === 'contains' ? 'includes' : opWord;
      if (c.atEnd()) throw new ConditionSyntaxError(`"${opWord}" needs a value`);
      const value = restOfLine ? c.readRestValue() : c.readToken();
      if (Array.isArray(value)) throw new ConditionSyntaxError(`a list is only allowed after "in"`);
      return { op, value };
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (c.atEnd()) throw new ConditionSyntaxError(`"${opWord}" needs a number`);
      const raw = c.readToken();
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? toNumberStrict(raw) : undefined;
      if (n === undefined) throw new ConditionSyntaxError(`"${opWord}" needs a number, got ${JSON.stringify(raw)}`);
      return { op: opWord, value: n };
    }
    case 'exists':
    case '!exists':
      return { op: opWord };
    case 'not': {
      const w = c.readWord();
      if (w !== 'exists') throw new ConditionSyntaxError(`"not" must be followed by "exists", got "${w}"`);
      return { op: '!exists' };
    }
    case 'matches': {
      if (c.atEnd()) throw new ConditionSyntaxError('"matches" needs a regular expression');
      return { op: 'matches', regex: c.readRegex(restOfLine) };
    }
    case 'in': {
      c.skipWs();
      if (c.peekChar() !== '[') throw new ConditionSyntaxError('"in" needs a list like [a, b]');
      const list = c.readToken();
      return { op: 'in', values: list as readonly Literal[] };
    }
    case 'between': {
      const low = c.atEnd() ? undefined : c.readToken();
      const and = c.atEnd() ? '' : c.readWord();
      const high = c.atEnd() ? undefined : c.readToken();
      const lo = typeof low === 'number' ? low : undefined;
      const hi = typeof high === 'number' ? high : undefined;
      if (lo === undefined || and !== 'and' || hi === undefined) throw new ConditionSyntaxError('"between" needs two numbers: between 1 and 3');
      if (lo > hi) throw new ConditionSyntaxError(`"between ${lo} and ${hi}": the first number must not be larger`);
      return { op: 'between', low: lo, high: hi };
    }
    default:
      if (opWord === '=') throw new ConditionSyntaxError('unknown operator "=" (use == to compare)');
      throw new ConditionSyntaxError(`unknown operator "${opWord}" (use ${OPERATOR_HELP})`);
  }
}

function toNumberStrict(s: string): number | undefined {
  return /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s.trim()) ? Number(s) : undefined;
}

/** A bare word's literal: number, null, true, false, or the word itself. */
function bareLiteral(word: string): Literal {
  if (word === 'null') return null;
  if (word === 'true') return true;
  if (word === 'false') return false;
  const n = toNumberStrict(word);
  return n !== undefined ? n : word;
}

/** A scanner over one condition's text that knows where the trailing comment starts. */
class Cursor {
  pos = 0;
  readonly commentStart: number | null;

  constructor(private readonly s: string) {
    this.commentStart = findCommentStart(s);
  }

  private get end(): number {
    return this.commentStart ?? this.s.length;
  }

  slice(from: number, to?: number): string {
    return this.s.slice(from, to ?? this.end);
  }

  skipWs(): void {
    while (this.pos < this.end && /\s/.test(this.s[this.pos]!)) this.pos++;
  }

  atEnd(): boolean {
    this.skipWs();
    return this.pos >= this.end;
  }

  peekChar(): string {
    this.skipWs();
    return this.s[this.pos] ?? '';
  }

  peekWord(): string {
    const save = this.pos;
    const w = this.atEnd() ? '' : this.readWord();
    this.pos = save;
    return w;
  }

  /** A subject name: letters only, so that `status==200` reads `status`. */
  readIdent(): string {
    this.skipWs();
    const m = /^[A-Za-z_]+/.exec(this.s.slice(this.pos, this.end));
    if (!m) return this.readWord();
    this.pos += m[0].length;
    return m[0];
  }

  readWord(): string {
    this.skipWs();
    const start = this.pos;
    while (this.pos < this.end && !/\s/.test(this.s[this.pos]!)) this.pos++;
    return this.s.slice(start, this.pos);
  }

  /** `==`, `<=`, … even when written without spaces (`status==200`), or an operator word. */
  readOperator(): string {
    this.skipWs();
    const sym = /^(!exists\b|[=!<>]+)/.exec(this.s.slice(this.pos, this.end));
    if (sym) {
      this.pos += sym[1]!.length;
      return sym[1]!;
    }
    return this.readWord();
  }

  restUntilComment(): string {
    return this.s.slice(this.pos, this.end).trim();
  }

  /** The rest of the line as one value: a quoted string alone, or bare words (one word → literal). */
  readRestValue(): Literal {
    this.skipWs();
    const ch = this.s[this.pos];
    if (ch === '"' || ch === "'") return this.readToken();
    const rest = this.restUntilComment();
    this.pos = this.end;
    if (rest.startsWith('[')) throw new ConditionSyntaxError('a list is only allowed after "in"');
    return /\s/.test(rest) ? rest : bareLiteral(rest);
  }

  /** One value: "quoted", 'quoted', [list], or a bare word (number/null/true/false/text). */
  readToken(): Literal {
    this.skipWs();
    const ch = this.s[this.pos];
    if (ch === '"' || ch === "'") return this.readQuoted();
    if (ch === '[') return this.readList();
    const w = this.readWord();
    if (!w) throw new ConditionSyntaxError('missing value');
    return bareLiteral(w);
  }

  private readQuoted(): string {
    const q = this.s[this.pos]!;
    let out = '';
    let i = this.pos + 1;
    while (i < this.s.length) {
      const ch = this.s[i]!;
      if (ch === '\\' && i + 1 < this.s.length) {
        out += this.s[i + 1];
        i += 2;
        continue;
      }
      if (ch === q) {
        this.pos = i + 1;
        return out;
      }
      out += ch;
      i++;
    }
    throw new ConditionSyntaxError(`unterminated string ${q}${out}`);
  }

  private readList(): Literal[] {
    const items: Literal[] = [];
    this.pos++; // [
    for (;;) {
      this.skipWsRaw();
      const ch = this.s[this.pos];
      if (ch === undefined) throw new ConditionSyntaxError('unclosed list: missing "]"');
      if (ch === ']') {
        this.pos++;
        return items;
      }
      if (ch === ',') {
        this.pos++;
        continue;
      }
      if (ch === '"' || ch === "'") {
        items.push(this.readQuoted());
        continue;
      }
      const start = this.pos;
      while (this.pos < this.s.length && !/[,\]]/.test(this.s[this.pos]!)) this.pos++;
      const word = this.s.slice(start, this.pos).trim();
      if (word) items.push(bareLiteral(word));
    }
  }

  private skipWsRaw(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos]!)) this.pos++;
  }

  /** `/re/flags`, a quoted pattern, or (restOfLine) the rest of the line / (else) one word. */
  readRegex(restOfLine: boolean): BoundedRegex {
    this.skipWs();
    const ch = this.s[this.pos];
    let source: string;
    let flags = '';
    if (ch === '/') {
      const m = /^\/((?:\\.|[^/\\])+)\/([dgimsuy]*)(?=\s|$)/.exec(this.s.slice(this.pos));
      if (!m) throw new ConditionSyntaxError('unterminated /regex/');
      source = m[1]!;
      flags = m[2]!.replace('g', '');
      this.pos += m[0].length;
    } else if (ch === '"' || ch === "'") {
      source = this.readQuoted();
    } else if (restOfLine) {
      source = this.restUntilComment();
      this.pos = this.end;
    } else {
      source = this.readWord();
    }
    try {
      return compileBoundedRegex(source, flags);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new ConditionSyntaxError(`invalid regex "${source}": ${why}`);
    }
  }

  /** The next-step text after ` -- ` / ` # `, trimmed. */
  comment(): string | undefined {
    if (this.commentStart === null) return undefined;
    const t = this.s.slice(this.commentStart).replace(/^\s*(--|#)/, '').trim();
    return t || undefined;
  }
}

/**
 * Where the trailing comment starts: whitespace then `--` (followed by whitespace or the end) or
 * `#`, outside quotes and outside a `/regex/` that follows `matches`.
 */
function findCommentStart(s: string): number | null {
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if ((ch === '"' || ch === "'") && (i === 0 || /[\s[,]/.test(s[i - 1]!))) {
      quote = ch;
      continue;
    }
    if (ch === '/' && /\bmatches\s+$/.test(s.slice(0, i))) {
      const m = /^\/((?:\\.|[^/\\])+)\/([dgimsuy]*)(?=\s|$)/.exec(s.slice(i));
      if (m) {
        i += m[0].length - 1;
        continue;
      }
    }
    if (i > 0 && /\s/.test(s[i - 1]!)) {
      if (ch === '#') return i - 1;
      if (ch === '-' && s[i + 1] === '-' && (i + 2 >= s.length || /\s/.test(s[i + 2]!))) return i - 1;
    }
  }
  return null;
}
