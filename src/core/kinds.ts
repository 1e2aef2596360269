/**
 * The default check registry: every check kind the product ships. The VS Code composition root
 * and the CLI both start from `defaultRegistry()`, so a runbook means the same thing in both.
 * Call `disposeKinds()` when done (deactivate / CLI exit): it closes the HTTP keep-alive pools.
 */
import { CheckRegistry } from './checks/registry';
import { manualKind } from './checks/kinds/manual';
import { disposeHttpPools, httpKind } from './http';
import { pythonKind, shellKind } from './process';

export function defaultRegistry(): CheckRegistry {
  return new CheckRegistry()
    .register(manualKind)
    .register(httpKind)
    .register(shellKind)
    .register(pythonKind);
}

/** Releases what the shared kinds hold (HTTP connection pools). */
export async function disposeKinds(): Promise<void> {
  await disposeHttpPools();
}
