// Shared by the patch tests: inputs are deep-frozen so that any mutation by the code under test
// throws (ES modules run in strict mode), and results are unwrapped with a readable failure.
import assert from 'node:assert/strict';
import type { PatchResult } from '../../../../local/sim/kube/patch.ts';

export type Json = Record<string, unknown>;

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

export function valueOf(result: PatchResult): Json {
  if (!result.ok) assert.fail(`expected the patch to apply, got ${result.status}: ${result.message}`);
  return result.value;
}

export function failureOf(result: PatchResult): { status: number; message: string } {
  if (result.ok) assert.fail(`expected the patch to fail, got ${JSON.stringify(result.value)}`);
  return { status: result.status, message: result.message };
}
