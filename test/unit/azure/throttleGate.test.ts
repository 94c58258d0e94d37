// ThrottleGate on virtual time with the in-memory store: the bucket paces each kind separately, a
// recorded 429 pauses every gate of the subscription, waits are abortable, and a failing store
// does not stop the writers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ThrottleGate } from '../../../shared/azure/throttleGate.ts';
import type { ThrottleGateOptions } from '../../../shared/azure/throttleGate.ts';
import type { RequestKind } from '../../../shared/azure/throttleDefaults.ts';
import { MemoryThrottleStore } from '../../../shared/azure/throttleStore.ts';
import type { ThrottleStore } from '../../../shared/azure/throttleStore.ts';
import { FakeClock, settle } from '../../support/fakeClock.ts';

const SUB = '22222222-2222-2222-2222-222222222222';
/** 500 writes per 5 minutes (one per 600 ms), two at once; 5,000 reads (one per 60 ms), two at once. */
const BUDGETS = { write: { burst: 2 }, read: { burst: 2 } } as const;

function gateOn(store: ThrottleStore, clock: FakeClock, options: ThrottleGateOptions = {}): ThrottleGate {
  return new ThrottleGate(store, SUB, { clock, sleep: clock.sleep, budgets: BUDGETS, sharedRefreshMs: 0, ...options });
}

/** Acquires `kinds` concurrently and returns the time each acquire completed. */
async function acquireAll(clock: FakeClock, gate: ThrottleGate, kinds: readonly RequestKind[]): Promise<number[]> {
  return clock.run(Promise.all(kinds.map(async (kind) => {
    await gate.acquire(kind);
    return clock.now();
  })));
}

describe('ThrottleGate', () => {
  it('paces writes with the bucket: the burst at once, then one every 600 ms', async () => {
    const clock = new FakeClock(1_000);
    const gate = gateOn(new MemoryThrottleStore(), clock);
    assert.deepEqual(await acquireAll(clock, gate, ['write', 'write', 'write', 'write']), [1_000, 1_000, 1_600, 2_200]);
  });

  it('budgets reads separately from writes', async () => {
    const clock = new FakeClock();
    const gate = gateOn(new MemoryThrottleStore(), clock);
    assert.deepEqual(await acquireAll(clock, gate, ['write', 'write', 'write', 'read', 'read', 'read']), [0, 0, 600, 0, 0, 60]);
  });

  it('pauses the writes of every gate on the subscription for the Retry-After of a 429, not the reads', async () => {
    const clock = new FakeClock(10_000);
    const store = new MemoryThrottleStore();
    const a = gateOn(store, clock);
    const b = gateOn(store, clock);
    await a.recordThrottled('write', 30_000);
    assert.deepEqual(await store.read(SUB), { read: 0, write: 40_000 });
    assert.deepEqual(await acquireAll(clock, b, ['write', 'read']), [40_000, 10_000]);
  });

  it('uses the default pause for a 429 without Retry-After, and caps long ones', async () => {
    const clock = new FakeClock();
    const store = new MemoryThrottleStore();
    const gate = gateOn(store, clock, { defaultRetryAfterMs: 7_000, maxThrottleMs: 60_000 });
    await gate.recordThrottled('write', null);
    assert.equal((await store.read(SUB)).write, 7_000);
    await gate.recordThrottled('read', 3_600_000);
    assert.equal((await store.read(SUB)).read, 60_000);
  });

  it('only ever moves the pause later', async () => {
    const clock = new FakeClock();
    const store = new MemoryThrottleStore();
    const gate = gateOn(store, clock);
    await gate.recordThrottled('write', 30_000);
    await gate.recordThrottled('write', 5_000);
    assert.equal((await store.read(SUB)).write, 30_000);
    assert.deepEqual(await acquireAll(clock, gate, ['write']), [30_000]);
  });

  it('waits again when another gate moves the pause while it waits', async () => {
    const clock = new FakeClock();
    const store = new MemoryThrottleStore();
    const a = gateOn(store, clock);
    const b = gateOn(store, clock);
    await a.recordThrottled('write', 10_000);
    const waiting = b.acquire('write').then(() => clock.now());
    await settle();
    await clock.advance(5_000);
    await a.recordThrottled('write', 20_000); // until 25,000
    assert.equal(await clock.run(waiting), 25_000);
  });

  it('drains the bucket on a 429, so the pause is not followed by a burst', async () => {
    const clock = new FakeClock();
    const gate = gateOn(new MemoryThrottleStore(), clock);
    await gate.recordThrottled('write', 1_000);
    assert.deepEqual(await acquireAll(clock, gate, ['write', 'write']), [1_000, 1_200]);
  });

  it('sees a pause set elsewhere once its cached read is older than sharedRefreshMs', async () => {
    const clock = new FakeClock();
    const store = new MemoryThrottleStore();
    const gate = gateOn(store, clock, { sharedRefreshMs: 1_000 });
    await clock.run(gate.acquire('write'));
    await store.moveLater(SUB, 'write', 50_000);
    assert.deepEqual(await acquireAll(clock, gate, ['write']), [0], 'the read cached at 0 is still trusted at 0');
    await clock.advance(1_000);
    assert.deepEqual(await acquireAll(clock, gate, ['write']), [50_000]);
  });

  it('throws the abort reason when its wait is aborted, and gives the token back', async () => {
    const clock = new FakeClock();
    const gate = gateOn(new MemoryThrottleStore(), clock, { budgets: { write: { burst: 1 } } });
    await clock.run(gate.acquire('write'));
    const controller = new AbortController();
    const waiting = gate.acquire('write', { abortSignal: controller.signal });
    await settle();
    assert.equal(clock.pendingTimers(), 1);
    controller.abort(new Error('shutting down'));
    await assert.rejects(waiting, /shutting down/);
    assert.equal(clock.pendingTimers(), 0);
    assert.deepEqual(await acquireAll(clock, gate, ['write']), [600], 'the next write waits one period, not two');
  });

  it('throws at once for an already aborted signal', async () => {
    const clock = new FakeClock();
    const gate = gateOn(new MemoryThrottleStore(), clock);
    await assert.rejects(gate.acquire('write', { abortSignal: AbortSignal.abort() }), { name: 'AbortError' });
  });

  it('throws when aborted during a shared pause', async () => {
    const clock = new FakeClock();
    const store = new MemoryThrottleStore();
    const gate = gateOn(store, clock);
    await gate.recordThrottled('write', 60_000);
    const controller = new AbortController();
    const waiting = gate.acquire('write', { abortSignal: controller.signal });
    await settle();
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
  });

  it('carries on without a store that fails, reporting it and still honouring its own 429s', async () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    const broken: ThrottleStore = {
      read: () => Promise.reject(new Error('table down')),
      moveLater: () => Promise.reject(new Error('table down')),
    };
    const gate = gateOn(broken, clock, { onStoreError: (e) => errors.push(e) });
    assert.deepEqual(await acquireAll(clock, gate, ['write']), [0], 'fail open');
    await gate.recordThrottled('write', 5_000);
    assert.deepEqual(await acquireAll(clock, gate, ['write']), [5_000]);
    assert.ok(errors.length >= 2);
    assert.ok(errors.every((e) => e instanceof Error && e.message === 'table down'));
  });
});
