// Retry backoff (reference §7.1): 1 s base, x2, 30 s cap, +20 % jitter from the injected random source.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs } from '../../../shared/engine/backoff.ts';
import { defaultEngineConfig } from '../../../shared/engine/config.ts';

const policy = defaultEngineConfig.backoff;
const noJitter = (): number => 0;

describe('backoffDelayMs', () => {
  it('uses the reference policy: 1 s base, factor 2, 30 s cap, 20 % jitter', () => {
    assert.deepEqual(policy, { baseMs: 1_000, factor: 2, capMs: 30_000, jitter: 0.2 });
  });

  it('grows 1, 2, 4, 8, 16, 30, 30 s when random gives 0', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelayMs(attempt, policy, noJitter));
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('stays at the cap for very large attempt numbers', () => {
    assert.equal(backoffDelayMs(60, policy, noJitter), 30_000);
    assert.equal(backoffDelayMs(10_000, policy, noJitter), 30_000);
  });

  it('treats attempt 0 (and below) like attempt 1: the base delay', () => {
    assert.equal(backoffDelayMs(0, policy, noJitter), 1_000);
    assert.equal(backoffDelayMs(-3, policy, noJitter), 1_000);
    assert.equal(backoffDelayMs(1, policy, noJitter), 1_000);
  });

  it('adds up to 20 % when random approaches 1', () => {
    assert.equal(backoffDelayMs(1, policy, () => 1), 1_200);
    assert.equal(backoffDelayMs(4, policy, () => 1), 9_600);
    assert.equal(backoffDelayMs(9, policy, () => 1), 36_000);
    assert.equal(backoffDelayMs(1, policy, () => 0.999_999), 1_200);
  });

  it('scales the jitter linearly with random', () => {
    assert.equal(backoffDelayMs(2, policy, () => 0.5), 2_200);
    assert.equal(backoffDelayMs(3, policy, () => 0.25), 4_200);
  });

  it('never goes below the raw delay or above raw + 20 % for any random in [0, 1)', () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const raw = Math.min(30_000, 1_000 * 2 ** (attempt - 1));
      for (const r of [0, 0.1, 0.33, 0.5, 0.77, 0.99]) {
        const d = backoffDelayMs(attempt, policy, () => r);
        assert.ok(d >= raw && d <= raw * 1.2, `attempt ${attempt}, random ${r}: ${d}`);
      }
    }
  });

  it('uses the policy it is given', () => {
    const p = { baseMs: 100, factor: 3, capMs: 1_000, jitter: 0 };
    assert.deepEqual([1, 2, 3, 4].map((a) => backoffDelayMs(a, p, () => 0.9)), [100, 300, 900, 1_000]);
  });
});
