/**
 * The markdown `details` of an http check: request (credentials masked), status and time, the
 * JSON values the conditions used, the relevant part of the body, and each condition's verdict.
 * The caller masks the result again with its Masker (secrets echoed by the server).
 */
import { formatDuration } from '../text';
import { STATUS_CODES } from 'node:http';
import { renderValue, walkPath, parsePath, type ConditionOutcome } from '../checks/conditions';
import { MASK } from '../secrets/mask';
import { firstTextLine, htmlTitle, looksLikeHtml } from './errors';
import { maskHeaderValue, type HttpRequestSpec } from './request';
import { parseJsonBounded } from './json';

export const MAX_BODY_LINES = 40;
const MAX_REQUEST_BODY_LINES = 20;

export interface ResponseView {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyText: string;
  readonly truncated: boolean;
  readonly durationMs: number;
}

function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text}\n${f}`;
}

function trimLines(text: string, max: number): string {
  const lines = text.split('\n');
  if (lines.length <= max) return text;
  return lines.slice(0, max).join('\n') + `\n… (${lines.length - max} more lines)`;
}



export function statusText(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

/** The request as text: request line, headers (credentials masked), body (trimmed). */
export function renderRequestText(req: HttpRequestSpec): string {
  const lines = [`${req.method} ${req.url.toString()}`];
  for (const [n, v] of req.headers) lines.push(`${n}: ${maskHeaderValue(n, v, MASK)}`);
  if (req.body !== undefined) lines.push('', trimLines(prettyIfJson(req.body), MAX_REQUEST_BODY_LINES));
  return lines.join('\n');
}

export function renderRequest(req: HttpRequestSpec): string {
  return fence(renderRequestText(req), 'http');
}

function prettyIfJson(text: string): string {
  try {
    return JSON.stringify(parseJsonBounded(text), null, 2);
  } catch {
    return text;
  }
}

/** The body parsed as JSON, or undefined when it is not JSON. */
function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: parseJsonBounded(text) };
  } catch {
    return undefined;
  }
}

/**
 * The response body as shown: pretty JSON (≤ 40 lines), an HTML page's title, or the first text lines.
 * `json` is the body already parsed (renderDetails parses it once for both uses).
 */
export function renderBody(res: ResponseView, json = parseJson(res.bodyText)): string {
  const text = res.bodyText;
  if (!text.trim()) return '_(empty body)_';
  const contentType = res.headers['content-type'];
  if (looksLikeHtml(text, contentType)) {
    const title = htmlTitle(text) ?? firstTextLine(text);
    return `HTML page (${text.length} bytes${res.truncated ? ', truncated' : ''}): **${title.replace(/[*_`]/g, '')}**`;
  }
  if (!json) return fence(trimLines(text.length > 4000 ? text.slice(0, 4000) + '…' : text, MAX_BODY_LINES));
  return fence(trimLines(JSON.stringify(json.value, null, 2), MAX_BODY_LINES), 'json');
}

function conditionIcon(o: ConditionOutcome): string {
  return o.verdict === 'pass' ? '✅' : o.verdict === 'warn' ? '⚠️' : '❌';
}

export interface DetailsInput {
  readonly request: HttpRequestSpec;
  readonly response?: ResponseView;
  readonly outcomes?: readonly ConditionOutcome[];
  readonly jsonPaths?: readonly string[];
  readonly notes?: readonly string[];
  readonly failure?: string;
}

export function renderDetails(d: DetailsInput): string {
  const parts: string[] = ['**Request**', renderRequest(d.request)];
  if (d.failure) parts.push(`**No response:** ${d.failure}`);
  const res = d.response;
  if (res) {
    parts.push(`**Response:** ${statusText(res.status)} in ${formatDuration(res.durationMs)}${res.headers['content-type'] ? ` (${res.headers['content-type']})` : ''}`);
    const json = parseJson(res.bodyText);
    if (json && d.jsonPaths?.length) {
      const rows = d.jsonPaths.map((p) => {
        const parsed = parsePath(p);
        const w = parsed.ok ? walkPath(json.value, parsed.path) : { found: false as const };
        return `- \`${p}\` = ${w.found ? `\`${renderValue(w.value, 100)}\`` : '_missing_'}`;
      });
      parts.push('Values used by the conditions:\n' + rows.join('\n'));
    }
    parts.push(renderBody(res, json));
  }
  if (d.notes?.length) parts.push(d.notes.map((n) => `- ${n}`).join('\n'));
  if (d.outcomes?.length) {
    parts.push(
      '**Conditions**\n' +
        d.outcomes
          .map((o) => `- ${conditionIcon(o)} \`${o.text}\`${o.actual !== undefined ? ` → ${o.actual}` : ''}${o.verdict !== 'pass' && o.message ? `: ${o.message}` : ''}`)
          .join('\n'),
    );
  }
  return parts.join('\n\n');
}
