/**
 * The notebook serializer loads without the check engine, so it tells checks from plain code with
 * the static list DEFAULT_CHECK_KINDS. That list must name exactly the registry's kinds and aliases,
 * or a runbook would open with a check shown as plain code (or the reverse).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CHECK_KINDS } from '../../../src/core/runbook';
import { defaultRegistry } from '../../../src/core/kinds';

test('DEFAULT_CHECK_KINDS names exactly the default registry\'s kinds and aliases', () => {
  assert.deepEqual([...DEFAULT_CHECK_KINDS].sort(), defaultRegistry().words().sort());
});
