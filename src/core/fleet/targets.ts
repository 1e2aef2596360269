/**
 * `targets:` in a runbook's front matter: named groups of hosts that a shell/python check runs on
 * with `on=<group>`. Hosts come from what operators already keep — an Ansible inventory (INI or
 * YAML; `ansible-inventory --list` when it is installed, so dynamic inventories work), host names
 * of an OpenSSH config, or an explicit list. Nothing here connects anywhere: see ssh.ts and
 * ansible.ts for the transports.
 *
 *   targets:
 *     serving:                      # a group name checks refer to (on=serving)
 *       inventory: ops/hosts.ini    # Ansible inventory, relative to the runbook
 *       group: web                  # its group (default: the target's name)
 *     engine:
 *       hosts: [engine-1, engine-2] # explicit ssh destinations
 *     bastioned:
 *       sshConfig: ~/.ssh/config    # every concrete Host name of an ssh config …
 *       pattern: "web-*"            # … matching this glob (optional)
 *   # per target (or top level, for all): via: ssh | ansible, concurrency: 10, timeout: 60 (s),
 *   # sshConfigFile: path (ssh -F), python: python3
 */
import { isAbsolute, resolve } from 'node:path';
import { homedir } from 'node:os';
import * as z from 'zod';

const name = z.string().regex(/^[A-Za-z0-9_][\w.-]*$/, 'expected a name of letters, digits, "_", "-" and "."');

const common = {
  via: z.enum(['ssh', 'ansible'], { error: 'expected ssh or ansible' }).optional(),
  concurrency: z.number({ error: 'expected a number' }).int().min(1).max(200).optional(),
  timeout: z.number({ error: 'expected seconds' }).positive().max(86_400).optional(),
  sshConfigFile: z.string().min(1).optional(),
  python: z.string().regex(/^[\w./-]+$/, 'expected an interpreter name or path').optional(),
};

const targetSchema = z
  .strictObject({
    hosts: z.array(z.string().min(1).max(255), { error: 'expected a list of host names' }).optional(),
    inventory: z.string().min(1).optional(),
    group: name.optional(),
    sshConfig: z.string().min(1).optional(),
    pattern: z.string().min(1).max(200).optional(),
    ...common,
  })
  .refine((t) => [t.hosts, t.inventory, t.sshConfig].filter((x) => x !== undefined).length === 1, { message: 'give exactly one of hosts, inventory or sshConfig' });

const targetsSchema = z.record(name, targetSchema, { error: 'expected a mapping of group names to targets' });

export type TargetSpec = z.infer<typeof targetSchema>;

export interface FleetDefaults {
  readonly via: 'ssh' | 'ansible';
  readonly concurrency: number;
  /** Seconds; undefined = the check's own timeout. */
  readonly timeout?: number;
  readonly sshConfigFile?: string;
  readonly python: string;
}

/** The parsed `targets:` of a runbook, with paths resolved against the runbook's folder. */
export interface FleetSpec {
  readonly targets: Readonly<Record<string, TargetSpec>>;
  readonly defaults: FleetDefaults;
  /** Folder relative paths are resolved against (the runbook's). */
  readonly baseDir: string;
  /** One line when the front matter's targets are invalid. */
  readonly error?: string;
}

export const DEFAULT_CONCURRENCY = 10;

/** Reads `targets:` (and top-level via/concurrency/timeout/sshConfigFile/python) from parsed front matter. Never throws. */
export function parseTargets(frontMatter: Readonly<Record<string, unknown>> | undefined, baseDir: string): FleetSpec | undefined {
  if (!frontMatter || frontMatter.targets === undefined) return undefined;
  const top = z.object(common).safeParse({
    via: frontMatter.via, concurrency: frontMatter.concurrency, timeout: frontMatter.timeout, sshConfigFile: frontMatter.sshConfigFile, python: frontMatter.python,
  });
  const fallback: FleetDefaults = { via: 'ssh', concurrency: DEFAULT_CONCURRENCY, python: 'python3' };
  if (!top.success) return { targets: {}, defaults: fallback, baseDir, error: `front matter: ${issueText(top.error.issues[0]!)}` };
  const parsed = targetsSchema.safeParse(frontMatter.targets);
  const defaults: FleetDefaults = {
    via: top.data.via ?? 'ssh',
    concurrency: top.data.concurrency ?? DEFAULT_CONCURRENCY,
    ...(top.data.timeout !== undefined ? { timeout: top.data.timeout } : {}),
    ...(top.data.sshConfigFile !== undefined ? { sshConfigFile: top.data.sshConfigFile } : {}),
    python: top.data.python ?? 'python3',
  };
  if (!parsed.success) return { targets: {}, defaults, baseDir, error: `front matter: targets.${issueText(parsed.error.issues[0]!)}` };
  return { targets: parsed.data, defaults, baseDir };
}

function issueText(issue: z.core.$ZodIssue): string {
  const where = issue.path.map(String).join('.');
  return `${where ? where + ': ' : ''}${issue.message}`;
}

/** A path from the front matter: `~/` is the user's home, relative paths are the runbook's folder. */
export function resolvePath(p: string, baseDir: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

/** The settings that apply to one target (its own, else the top-level ones). */
export function settingsOf(spec: FleetSpec, target: TargetSpec): FleetDefaults {
  return {
    via: target.via ?? spec.defaults.via,
    concurrency: target.concurrency ?? spec.defaults.concurrency,
    ...((target.timeout ?? spec.defaults.timeout) !== undefined ? { timeout: target.timeout ?? spec.defaults.timeout } : {}),
    ...((target.sshConfigFile ?? spec.defaults.sshConfigFile) !== undefined ? { sshConfigFile: resolvePath((target.sshConfigFile ?? spec.defaults.sshConfigFile)!, spec.baseDir) } : {}),
    python: target.python ?? spec.defaults.python,
  };
}
