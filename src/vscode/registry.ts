/** The check kinds the extension offers. (The CLI builds the same registry: src/core/kinds.ts.) */
import { CheckRegistry } from '../core/checks/registry';
import { manualKind } from '../core/checks/kinds/manual';

export function createRegistry(): CheckRegistry {
  return new CheckRegistry().register(manualKind);
}
