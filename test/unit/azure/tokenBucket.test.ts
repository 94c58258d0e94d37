// TokenBucket: reservations in call order, a sustained rate that never exceeds the share, and
// whole-millisecond waits for NRP's 500-per-5-minutes share.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_BUDGETS } from '../../../shared/azure/throttleDefaults.ts';
import { TokenBucket } from '../../../shared/azure/tokenBucket.ts';

const FIVE_MINUTES = 300_000;

describe('TokenBucket', () => {
  it('lets a burst through at once, then queues each request one token period after the last', () => {
    const bucket = new TokenBucket(2, 500, FIVE_MINUTES, 0);
    assert.deepEqual([0, 0, 0, 0].map((now) => bucket.reserve(now)), [0, 0, 600, 1_200]);
  });

  it('refills over time, up to its capacity', () => {
    const bucket = new TokenBucket(2, 500, FIVE_MINUTES, 0);
    bucket.reserve(0);
    bucket.reserve(0);
    assert.equal(bucket.reserve(600), 0, 'one token back after 600 ms');
    assert.equal(bucket.reserve(600), 600);
    assert.equal(bucket.available(1_000_000), 2, 'a long quiet spell refills only to the burst');
  });

  it('gives a cancelled reservation back to the next caller', () => {
    const bucket = new TokenBucket(1, 500, FIVE_MINUTES, 0);
    bucket.reserve(0);
    assert.equal(bucket.reserve(0), 600);
    bucket.cancel(0);
    assert.equal(bucket.reserve(0), 600, 'the next caller waits as long as the cancelled one would have');
  });

  it('drains after a 429 so that no burst follows the pause, keeping queued reservations', () => {
    const bucket = new TokenBucket(5, 500, FIVE_MINUTES, 0);
    bucket.reserve(0);
    bucket.drain(0);
    assert.equal(bucket.available(0), 0);
    assert.equal(bucket.reserve(0), 600);
    bucket.drain(0);
    assert.equal(bucket.available(0), -1, 'a queued reservation is not forgotten');
  });

  it('keeps one instance inside burst + share × limit writes in any 5 minutes with the defaults', () => {
    const budget = DEFAULT_BUDGETS.write;
    const bucket = TokenBucket.forBudget(budget, 0);
    let now = 0;
    const sent: number[] = [];
    while (now < 3 * FIVE_MINUTES) {
      now += bucket.reserve(now);
      sent.push(now);
    }
    for (let start = 0; start <= 2 * FIVE_MINUTES; start += 10_000) {
      const inWindow = sent.filter((t) => t >= start && t < start + FIVE_MINUTES).length;
      assert.ok(inWindow <= budget.burst + budget.limit * budget.share, `${inWindow} writes in the window from ${start}`);
    }
    const steady = sent.filter((t) => t >= FIVE_MINUTES && t < 2 * FIVE_MINUTES).length;
    assert.equal(steady, 500, 'the sustained rate is the share: 500 writes per 5 minutes');
  });

  it('refuses budgets it cannot honour', () => {
    assert.throws(() => TokenBucket.forBudget({ ...DEFAULT_BUDGETS.write, share: 0 }, 0), RangeError);
    assert.throws(() => TokenBucket.forBudget({ ...DEFAULT_BUDGETS.write, share: 1.5 }, 0), RangeError);
    assert.throws(() => TokenBucket.forBudget({ ...DEFAULT_BUDGETS.write, burst: 0 }, 0), RangeError);
    assert.throws(() => TokenBucket.forBudget({ ...DEFAULT_BUDGETS.write, windowMs: 0 }, 0), RangeError);
  });
});
