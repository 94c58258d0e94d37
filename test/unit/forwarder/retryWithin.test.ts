import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryWithin } from '../../../forwarder/actions/retryWithin.ts';
import type { RetryWithinOptions } from '../../../forwarder/actions/retryWithin.ts';

/** A fake clock whose sleep moves time on at once. */
function fakeTime(start = 1_000_000): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: (ms) => {
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    },
    slept,
  };
}

/** An attempt that throws `failures` times, then returns 'done'. */
function failing(failures: number, error: (n: number) => Error = (n) => new Error(`failure ${n}`)): { attempt: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    attempt: () => {
      calls += 1;
      return calls <= failures ? Promise.reject(error(calls)) : Promise.resolve('done');
    },
    calls: () => calls,
  };
}

const base = (time: ReturnType<typeof fakeTime>, extra: Partial<RetryWithinOptions> = {}): RetryWithinOptions => ({
  deadline: time.now() + 60_000,
  minMs: 100,
  maxMs: 300,
  now: time.now,
  sleep: time.sleep,
  random: () => 0,
  ...extra,
});

describe('retrying within a budget', () => {
  it('retries until the attempt succeeds, doubling the wait from the minimum up to the cap', async () => {
    const time = fakeTime();
    const a = failing(4);
    const seen: number[] = [];
    const r = await retryWithin(a.attempt, base(time, { onFailure: (_e, failures) => seen.push(failures) }));
    assert.deepEqual(r, { ok: true, value: 'done', failures: 4 });
    assert.deepEqual(time.slept, [100, 200, 300, 300]);
    assert.deepEqual(seen, [1, 2, 3, 4]);
  });

  it('adds jitter of up to half the wait', async () => {
    const time = fakeTime();
    await retryWithin(failing(2).attempt, base(time, { random: () => 1 }));
    assert.deepEqual(time.slept, [150, 300]);
  });

  it('waits at least as long as the failure asks (Retry-After), and no less than the backoff', async () => {
    const time = fakeTime();
    const a = failing(2, (n) => Object.assign(new Error('throttled'), { hint: n === 1 ? 1_000 : 10 }));
    const r = await retryWithin(a.attempt, base(time, { waitHintMs: (e) => (e as { hint: number }).hint }));
    assert.equal(r.ok, true);
    assert.deepEqual(time.slept, [1_000, 200]);
  });

  it('gives up without waiting when the next wait would end past the deadline', async () => {
    const time = fakeTime();
    const a = failing(10);
    const delays: (number | null)[] = [];
    const r = await retryWithin(a.attempt, base(time, { deadline: time.now() + 250, onFailure: (_e, _n, next) => delays.push(next) }));
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.why === 'budget' && r.failures === 2 && r.error instanceof Error && r.error.message === 'failure 2');
    assert.deepEqual(time.slept, [100], 'the 200 ms wait would have ended at 300 ms of a 250 ms budget');
    assert.deepEqual(delays, [100, null]);
    assert.equal(a.calls(), 2);
  });

  it('gives up waiting as soon as the signal aborts, and makes no further attempt', async () => {
    const stop = new AbortController();
    const a = failing(10);
    const t0 = Date.now();
    const r = await retryWithin(a.attempt, { deadline: Date.now() + 600_000, minMs: 60_000, maxMs: 60_000, signal: stop.signal, onFailure: () => stop.abort() });
    assert.ok(Date.now() - t0 < 5_000, 'the 60 s wait was cut short');
    assert.ok(!r.ok && r.why === 'stopped' && r.failures === 1);
    assert.equal(a.calls(), 1);
  });

  it('makes no attempt when the signal has already aborted', async () => {
    const stop = new AbortController();
    stop.abort();
    const a = failing(0);
    const r = await retryWithin(a.attempt, base(fakeTime(), { signal: stop.signal }));
    assert.ok(!r.ok && r.why === 'stopped' && r.failures === 0);
    assert.equal(a.calls(), 0);
  });
});
