/**
 * Where secrets may go. A network check (`http`, `engramia`) sends some of the runbook's inputs
 * to one origin. `planNetworkSend` works out, without sending anything, which origin that is and
 * which inputs travel with the request; `decideSend` says whether that may happen as is, must be
 * approved by the user first, or is refused.
 *
 * The rules (docs/security.md):
 * - In a restricted (untrusted) workspace, a value from secret storage or from the environment is
 *   sent only to an origin the user approved for this workspace, for that input.
 * - A stored secret records the origins it was entered for; sending it anywhere else asks first,
 *   trusted workspace or not. Approving adds the origin to the secret's list.
 * - In a restricted workspace a check cannot pick its own target or key (`baseUrl:` / `apiKey:`
 *   lines of an `engramia` check): those come only from the user's inputs.
 *
 * Pure logic: the VS Code layer stores approvals and shows the question.
 */
import { MissingInputError, placeholders, substitute } from '../checks/template';
import { parseEngramiaBody } from '../engramia/kind';
import { httpChecks } from '../http/check';
import { instantiateRequest, RequestSyntaxError } from '../http/request';

/** Check kinds that send inputs over the network (canonical kind names). */
export const NETWORK_KINDS: ReadonlySet<string> = new Set(['http', 'engramia']);

/** Where a value came from; decides whether sending it needs an approval. */
export type InputSource =
  /** Typed by the user (prompt, Edit Inputs) or set in user-level settings. */
  | 'user'
  /** The runbook's own default (front matter). */
  | 'default'
  /** Workspace settings (`.vscode/settings.json`): shared by the repository. */
  | 'workspace-setting'
  /** An environment variable of the editor / CLI process. */
  | 'environment'
  /** VS Code secret storage (entered with "Set API Key / Secret…" or when asked). */
  | 'secret-storage';

/** An input that a request would carry. */
export interface SentInput {
  readonly name: string;
  readonly secret: boolean;
  readonly source: InputSource;
  /** The variable the value was read from (source `environment`). */
  readonly envVar?: string;
  /** Source `secret-storage`: the origins the secret was entered for or later approved for. */
  readonly boundOrigins?: readonly string[];
}

/** A network check's destination and the inputs that go with it. */
export interface SendPlan {
  readonly origin: string;
  /** Names of the inputs whose values are sent (URL, headers, body, parameters). */
  readonly sent: readonly string[];
  /** Names of the inputs the check's text refers to at all (sent or only compared against). */
  readonly used: readonly string[];
  /** Connection settings the check's own text sets (`baseUrl`, `apiKey` lines of an engramia check). */
  readonly overrides: readonly string[];
}

/** True for inputs that need the user's approval before they leave in a restricted workspace. */
export function isSensitive(input: Pick<SentInput, 'source'>): boolean {
  return input.source === 'secret-storage' || input.source === 'environment';
}

/** `https://API.example.dev:443/v1` → `https://api.example.dev`; undefined when not an http(s) URL. */
export function originOf(url: string): string | undefined {
  try {
    const u = new URL(url.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

/** The connection settings an `engramia` check may take from the runbook's inputs. */
const ENGRAMIA_CONNECTION = ['baseUrl', 'apiKey'] as const;

/**
 * Works out where a network check would send its request, given the inputs it would run with.
 * Returns undefined for kinds that send nothing, and `{ error }` when the request cannot be built
 * (the kind then fails the same way, before sending anything).
 */
export function planNetworkSend(
  kind: string,
  body: string,
  attributes: Readonly<Record<string, string>>,
  inputs: Readonly<Record<string, string>>,
): SendPlan | { readonly error: string } | undefined {
  if (kind === 'http') {
    // The same parse the kind validates and runs (src/core/http/check.ts): parsed once per body.
    const parsed = httpChecks.get(body);
    if (!parsed.request.ok) return { error: parsed.request.error };
    const raw = parsed.request.value;
    const sent = placeholders([raw.target, ...raw.headers.map(([n, v]) => `${n}: ${v}`), raw.body ?? ''].join('\n'));
    try {
      const req = instantiateRequest(raw, inputs);
      return { origin: req.url.origin, sent, used: placeholders(body), overrides: [] };
    } catch (err) {
      if (err instanceof MissingInputError || err instanceof RequestSyntaxError) return { error: err.message };
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }
  if (kind === 'engramia') {
    // Mirrors the kind exactly: the whole body is substituted, then its `name: value` lines are
    // parameters over the attributes; a baseUrl/apiKey parameter wins over the input of that name.
    let text: string;
    try {
      text = substitute(body, inputs);
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
    const { params: rawParams } = parseEngramiaBody(body);
    const { params } = parseEngramiaBody(text);
    const overrides = ENGRAMIA_CONNECTION.filter((name) => attributes[name] !== undefined
      || (params[name] !== undefined && (rawParams[name] ?? '').trim() !== `{{${name}}}`));
    const used = new Set(placeholders(body));
    for (const name of ENGRAMIA_CONNECTION) if (params[name] === undefined && attributes[name] === undefined && inputs[name] !== undefined) used.add(name);
    const baseUrl = params.baseUrl ?? attributes.baseUrl ?? inputs.baseUrl;
    if (baseUrl === undefined) return { error: 'missing input: baseUrl' };
    const origin = originOf(baseUrl);
    if (!origin) return { error: `baseUrl "${baseUrl}" is not an http(s) URL` };
    // Everything the body refers to may end up in a probe parameter; the key goes as a header.
    return { origin, sent: [...used], used: [...used], overrides };
  }
  return undefined;
}

export type SendDecision =
  | { readonly verdict: 'allow' }
  | {
    readonly verdict: 'ask';
    readonly origin: string;
    /** The inputs that need the approval, each with why (one line each). */
    readonly inputs: readonly { readonly name: string; readonly why: string }[];
  }
  | { readonly verdict: 'refuse'; readonly reason: string; readonly next: string };

export interface SendRequest {
  /** True in a trusted workspace (and in the CLI). */
  readonly trusted: boolean;
  readonly plan: SendPlan;
  /** Every input the request carries, with its source (inputs the plan does not send are ignored). */
  readonly inputs: readonly SentInput[];
  /** Input names the user approved for `plan.origin` in this workspace. */
  readonly approved: readonly string[];
}

function describeSource(i: SentInput): string {
  if (i.source === 'environment') return `from the environment variable ${i.envVar ?? i.name}`;
  if (i.source === 'secret-storage') return 'stored secret';
  return i.source;
}

/** May this request go as is? */
export function decideSend(req: SendRequest): SendDecision {
  const { plan } = req;
  if (!req.trusted && plan.overrides.length) {
    const what = plan.overrides.join(' and ');
    return {
      verdict: 'refuse',
      reason: `in restricted mode a check cannot set its own ${what}; it comes from your inputs, so nothing was sent`,
      next: `remove the ${what} line from the check (set it with "Runbook: Edit Inputs"), or trust this workspace`,
    };
  }
  const approved = new Set(req.approved);
  const byName = new Map(req.inputs.map((i) => [i.name, i]));
  const ask: { name: string; why: string }[] = [];
  // In the order the request uses them.
  for (const name of new Set(plan.sent)) {
    const input = byName.get(name);
    if (!input) continue;
    const reasons: string[] = [];
    if (!req.trusted && isSensitive(input) && !approved.has(input.name)) {
      reasons.push(`${describeSource(input)}; this workspace is not trusted`);
    }
    if (input.source === 'secret-storage' && !(input.boundOrigins ?? []).includes(plan.origin)) {
      const bound = input.boundOrigins ?? [];
      reasons.push(bound.length ? `stored secret entered for ${bound.join(', ')}` : 'stored secret not yet bound to any server');
    }
    if (reasons.length) ask.push({ name: input.name, why: [...new Set(reasons)].join('; ') });
  }
  return ask.length ? { verdict: 'ask', origin: plan.origin, inputs: ask } : { verdict: 'allow' };
}

/** The question shown to the user (modal message and detail), naming the origin and the inputs. */
export function approvalQuestion(decision: Extract<SendDecision, { verdict: 'ask' }>, checkLabel?: string): { message: string; detail: string } {
  const names = decision.inputs.map((i) => i.name).join(', ');
  return {
    message: `Send ${names} to ${decision.origin}?`,
    detail: [
      `${checkLabel ? `The check "${checkLabel}"` : 'This check'} would send these inputs to ${decision.origin}:`,
      ...decision.inputs.map((i) => `• ${i.name} (${i.why})`),
      '',
      'Allow only if you trust this server with them. Your answer is remembered for this workspace; "Runbook: Revoke Approved Origins…" takes it back.',
    ].join('\n'),
  };
}

/** The one-line result of a check that was not run because sending was refused or not approved. */
export function notSentResult(decision: Exclude<SendDecision, { verdict: 'allow' }>): { verdict: 'skipped'; reason: string; next: string } {
  if (decision.verdict === 'refuse') return { verdict: 'skipped', reason: decision.reason, next: decision.next };
  return {
    verdict: 'skipped',
    reason: `not sent: ${decision.inputs.map((i) => i.name).join(', ')} not approved for ${decision.origin}`,
    next: 'run the check again and choose Allow if you trust this server with them',
  };
}

/** Approvals kept per workspace: origin → input names the user let go there. */
export type OriginApprovals = Readonly<Record<string, readonly string[]>>;

export function withApproval(approvals: OriginApprovals, origin: string, names: readonly string[]): OriginApprovals {
  const merged = [...new Set([...(approvals[origin] ?? []), ...names])].sort();
  return { ...approvals, [origin]: merged };
}

export function withoutOrigins(approvals: OriginApprovals, origins: readonly string[]): OriginApprovals {
  const drop = new Set(origins);
  return Object.fromEntries(Object.entries(approvals).filter(([o]) => !drop.has(o)));
}
