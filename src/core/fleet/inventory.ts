/**
 * Hosts of a group, from an Ansible inventory. With `ansible-inventory` on PATH its `--list` JSON
 * is used (so dynamic inventories, plugins and `group_vars/` work as Ansible sees them); without
 * it the static INI and YAML formats are read here: groups, `:children`, `:vars`, host variables
 * and numeric/alphabetic host ranges (`web[01:20]`, `db-[a:c]`). Only the variables that decide
 * where to connect are kept: ansible_host, ansible_port, ansible_user.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';

export interface InventoryHost {
  /** The inventory name (what results are reported under). */
  readonly name: string;
  /** ansible_host, else the name. */
  readonly address: string;
  readonly port?: number;
  readonly user?: string;
}

type Vars = Record<string, unknown>;
interface Group {
  hosts: Map<string, Vars>;
  children: Set<string>;
  vars: Vars;
}
type Inventory = Map<string, Group>;

/** A range expands to at most this many hosts (a typo like web[1:99999999] must not eat memory). */
const MAX_RANGE = 10_000;

export class InventoryError extends Error {}

function group(inv: Inventory, name: string): Group {
  let g = inv.get(name);
  if (!g) inv.set(name, (g = { hosts: new Map(), children: new Set(), vars: {} }));
  return g;
}

/** `web[01:03].x` → web01.x web02.x web03.x; `db-[a:c]` → db-a db-b db-c; steps `[1:9:2]`. */
export function expandHostPattern(pattern: string): string[] {
  const m = /^([^[\]]*)\[([0-9a-zA-Z]+):([0-9a-zA-Z]+)(?::(\d+))?\]([^[\]]*)$/.exec(pattern);
  if (!m) {
    if (/[[\]]/.test(pattern)) throw new InventoryError(`host pattern ${pattern}: only one [a:b] range is supported`);
    return [pattern];
  }
  const [, pre, from, to, stepText, post] = m as unknown as [string, string, string, string, string | undefined, string];
  const step = stepText ? Number(stepText) : 1;
  if (!(step >= 1)) throw new InventoryError(`host pattern ${pattern}: bad step`);
  const out: string[] = [];
  if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
    const a = Number(from), b = Number(to);
    if (b < a || (b - a) / step >= MAX_RANGE) throw new InventoryError(`host pattern ${pattern}: range too large or reversed`);
    const width = from.length > 1 && from.startsWith('0') ? from.length : 0;
    for (let i = a; i <= b; i += step) out.push(`${pre}${String(i).padStart(width, '0')}${post}`);
    return out;
  }
  if (/^[a-zA-Z]$/.test(from) && /^[a-zA-Z]$/.test(to) && from <= to) {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c += step) out.push(`${pre}${String.fromCharCode(c)}${post}`);
    return out;
  }
  throw new InventoryError(`host pattern ${pattern}: bad range`);
}

/** key=value pairs of an INI host line; values may be quoted. Linear, no regex backtracking. */
function iniVars(text: string): Vars {
  const vars: Vars = {};
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    const eq = text.indexOf('=', i);
    if (eq < 0) break;
    const key = text.slice(i, eq).trim();
    i = eq + 1;
    let value = '';
    const q = text[i];
    if (q === '"' || q === "'") {
      const end = text.indexOf(q, i + 1);
      value = text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end + 1;
    } else {
      let j = i;
      while (j < text.length && !/\s/.test(text[j]!)) j++;
      value = text.slice(i, j);
      i = j;
    }
    if (key) vars[key] = value;
  }
  return vars;
}

export function parseIniInventory(text: string): Inventory {
  const inv: Inventory = new Map();
  group(inv, 'all');
  let section: { name: string; kind: 'hosts' | 'children' | 'vars' } = { name: 'ungrouped', kind: 'hosts' };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      const m = /^\[([^\]:]+)(?::(children|vars))?\]$/.exec(line);
      if (!m) throw new InventoryError(`inventory: cannot read section ${line}`);
      section = { name: m[1]!, kind: (m[2] as 'children' | 'vars') ?? 'hosts' };
      group(inv, section.name);
      continue;
    }
    const g = group(inv, section.name);
    if (section.kind === 'children') {
      g.children.add(line.split(/\s+/)[0]!);
      group(inv, line.split(/\s+/)[0]!);
    } else if (section.kind === 'vars') {
      Object.assign(g.vars, iniVars(line));
    } else {
      const sp = line.search(/\s/);
      const pattern = sp < 0 ? line : line.slice(0, sp);
      const vars = sp < 0 ? {} : iniVars(line.slice(sp));
      for (const h of expandHostPattern(pattern)) g.hosts.set(h, { ...(g.hosts.get(h) ?? {}), ...vars });
    }
  }
  return inv;
}

function yamlGroup(inv: Inventory, name: string, node: unknown, depth: number): void {
  if (depth > 50) throw new InventoryError('inventory: groups nested too deeply');
  const g = group(inv, name);
  if (node === null || node === undefined) return;
  if (typeof node !== 'object' || Array.isArray(node)) throw new InventoryError(`inventory: group ${name} is not a mapping`);
  const n = node as Record<string, unknown>;
  if (n.hosts && typeof n.hosts === 'object') {
    for (const [pattern, vars] of Object.entries(n.hosts as Record<string, unknown>)) {
      for (const h of expandHostPattern(pattern)) g.hosts.set(h, { ...(g.hosts.get(h) ?? {}), ...((vars as Vars) ?? {}) });
    }
  }
  if (n.vars && typeof n.vars === 'object') Object.assign(g.vars, n.vars);
  if (n.children && typeof n.children === 'object') {
    for (const [child, sub] of Object.entries(n.children as Record<string, unknown>)) {
      g.children.add(child);
      yamlGroup(inv, child, sub, depth + 1);
    }
  }
}

export function parseYamlInventory(text: string): Inventory {
  const doc = parseYaml(text, { prettyErrors: false, logLevel: 'silent' }) as unknown;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new InventoryError('inventory: expected a YAML mapping of groups');
  const inv: Inventory = new Map();
  group(inv, 'all');
  for (const [name, node] of Object.entries(doc as Record<string, unknown>)) yamlGroup(inv, name, node, 0);
  return inv;
}

/** `ansible-inventory --list` output. */
export function parseAnsibleListJson(text: string): Inventory {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new InventoryError('ansible-inventory --list did not print JSON');
  }
  const hostvars = ((doc._meta as Record<string, unknown> | undefined)?.hostvars ?? {}) as Record<string, Vars>;
  const inv: Inventory = new Map();
  for (const [name, node] of Object.entries(doc)) {
    if (name === '_meta' || !node || typeof node !== 'object') continue;
    const g = group(inv, name);
    const n = node as { hosts?: unknown; children?: unknown; vars?: unknown };
    if (Array.isArray(n.hosts)) for (const h of n.hosts) if (typeof h === 'string') g.hosts.set(h, hostvars[h] ?? {});
    if (Array.isArray(n.children)) for (const c of n.children) if (typeof c === 'string') { g.children.add(c); group(inv, c); }
    if (n.vars && typeof n.vars === 'object') Object.assign(g.vars, n.vars);
  }
  return inv;
}

/** The hosts of `name` and of its child groups, in inventory order, with their connection variables. */
export function hostsOfGroup(inv: Inventory, name: string): InventoryHost[] {
  if (!inv.has(name)) throw new InventoryError(`inventory has no group "${name}" (groups: ${[...inv.keys()].filter((g) => g !== 'all' && g !== 'ungrouped').join(', ') || 'none'})`);
  const allVars = inv.get('all')?.vars ?? {};
  const found = new Map<string, Vars>();
  const seen = new Set<string>();
  const visit = (g: string, inherited: Vars) => {
    if (seen.has(g)) return;
    seen.add(g);
    const grp = inv.get(g);
    if (!grp) return;
    const vars = { ...inherited, ...grp.vars };
    for (const [h, hv] of grp.hosts) found.set(h, { ...vars, ...(found.get(h) ?? {}), ...hv });
    for (const c of grp.children) visit(c, vars);
  };
  if (name === 'all') for (const g of inv.keys()) visit(g, allVars);
  else visit(name, allVars);
  return [...found].map(([h, v]) => toHost(h, v));
}

function toHost(name: string, v: Vars): InventoryHost {
  const port = v.ansible_port ?? v.ansible_ssh_port;
  const user = v.ansible_user ?? v.ansible_ssh_user;
  const address = v.ansible_host ?? v.ansible_ssh_host;
  return {
    name,
    address: typeof address === 'string' && address ? address : name,
    ...(port !== undefined && Number.isInteger(Number(port)) ? { port: Number(port) } : {}),
    ...(typeof user === 'string' && user ? { user } : {}),
  };
}

/** Reads an inventory file: through `ansible-inventory --list` when `ansibleInventory` is a path to it, else INI or YAML by its content. */
export async function loadInventory(file: string, opts: { ansibleInventory?: string; signal?: AbortSignal } = {}): Promise<Inventory> {
  if (opts.ansibleInventory) {
    const out = await new Promise<string>((resolvePromise, reject) => {
      execFile(opts.ansibleInventory!, ['-i', file, '--list'], { timeout: 60_000, maxBuffer: 32 * 1024 * 1024, signal: opts.signal, env: { ...process.env, ANSIBLE_NOCOLOR: '1' } }, (err, stdout, stderr) => {
        if (err) reject(new InventoryError(`ansible-inventory -i ${file} --list failed: ${(String(stderr).trim().split('\n').pop() || err.message).slice(0, 300)}`));
        else resolvePromise(stdout);
      });
    });
    return parseAnsibleListJson(out);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InventoryError(`cannot read inventory ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const first = (text.split(/\r?\n/).find((l) => l.trim() && !l.trim().startsWith('#')) ?? '').trim();
  const yaml = first.startsWith('---') || /^[\w.-]+:(\s*#.*)?$/.test(first) || /^[\w.-]+:\s*\{/.test(first);
  return yaml ? parseYamlInventory(text) : parseIniInventory(text);
}
