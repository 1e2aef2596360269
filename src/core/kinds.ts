/**
 * The default check registry: every check kind the product ships (manual, http, engramia, shell,
 * python, analyze). The VS Code composition root and the CLI both start from `defaultRegistry()`,
 * so a runbook means the same thing in both. Call `disposeKinds()` when done (deactivate / CLI
 * exit): it closes the HTTP keep-alive pools.
 */
import { analyzeKind } from './analyzer';
import { CheckRegistry } from './checks/registry';
import { placeholders } from './checks/template';
import { manualKind } from './checks/kinds/manual';
import { engramiaKind } from './engramia';
import { disposeHttpPools, httpKind } from './http';
import { isAttributeSet } from './plan/plan';
import { pythonKind, shellKind } from './process';

export function defaultRegistry(): CheckRegistry {
  return new CheckRegistry()
    .register(manualKind)
    .register(httpKind)
    .register(engramiaKind)
    .register(shellKind)
    .register(pythonKind)
    .register(analyzeKind);
}

/**
 * True when running the check changes something irreversibly, as its kind says of this invocation
 * (CheckKind.isDestructive: an http DELETE, the delete-project probe …), or with a
 * `destructive=true` attribute. Run-all plans leave such checks out unless they are named explicitly.
 */
export function isDestructiveCheck(registry: CheckRegistry, check: { kind: string; attributes: Readonly<Record<string, string>>; body: string }): boolean {
  if (isAttributeSet(check.attributes, 'destructive')) return true;
  const kind = registry.resolve(check.kind);
  if (!kind) return false;
  return kind.isDestructive ? kind.isDestructive(check.body, check.attributes) : !!kind.destructive;
}

/** The input names one check needs, as its kind says (see CheckKind.inputsUsed). */
export function inputsUsedBy(registry: CheckRegistry, check: { kind: string; attributes: Readonly<Record<string, string>>; body: string }): readonly string[] {
  const kind = registry.resolve(check.kind);
  if (!kind) return [];
  if (kind.inputsUsed) return kind.inputsUsed(check.body, check.attributes);
  return kind.runsProcesses ? [] : placeholders(check.body);
}

/** The input names a set of checks needs: a run asks for (and requires) only these. */
export function inputsNeededBy(registry: CheckRegistry, checks: Iterable<{ kind: string; attributes: Readonly<Record<string, string>>; body: string }>): Set<string> {
  const names = new Set<string>();
  for (const c of checks) for (const n of inputsUsedBy(registry, c)) names.add(n);
  return names;
}

/** Releases what the shared kinds hold (HTTP connection pools). */
export async function disposeKinds(): Promise<void> {
  await disposeHttpPools();
}
