/**
 * The default check registry: every check kind the product ships. The VS Code composition root
 * and the CLI both start from `defaultRegistry()`, so a runbook means the same thing in both.
 */
import { CheckRegistry } from './checks/registry';
import { manualKind } from './checks/kinds/manual';
import { pythonKind, shellKind } from './process';

export function defaultRegistry(): CheckRegistry {
  return new CheckRegistry()
    .register(manualKind)
    .register(shellKind)
    .register(pythonKind);
}
