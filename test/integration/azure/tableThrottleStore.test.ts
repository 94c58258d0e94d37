// The shared "throttled until" in Table Storage (Azurite, in this process): one entity per
// subscription that only ever moves later, even with writers racing; and two gates on one table,
// where a 429 seen by one delays the other's writes (virtual time, real storage).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TableThrottleStore } from '../../../shared/azure/tableThrottleStore.ts';
import { ThrottleGate } from '../../../shared/azure/throttleGate.ts';
import { NOT_THROTTLED } from '../../../shared/azure/throttleStore.ts';
import { FakeClock } from '../../support/fakeClock.ts';
import { startAzurite } from '../state/azurite.ts';
import type { Azurite } from '../state/azurite.ts';

let azurite: Azurite;

function freshTable(): string {
  return `throttle${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

const T0 = Date.parse('2026-11-25T12:00:00Z');

describe('TableThrottleStore', () => {
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite.stop();
  });

  it('reads nothing for a subscription never throttled (and creates its table on first use)', async () => {
    const store = new TableThrottleStore(azurite.client(freshTable()));
    assert.deepEqual(await store.read(randomUUID()), NOT_THROTTLED);
  });

  it('keeps one entity per subscription, reads and writes apart, and only moves them later', async () => {
    const table = freshTable();
    const store = new TableThrottleStore(azurite.client(table));
    const sub = randomUUID();
    await store.moveLater(sub, 'write', T0 + 30_000);
    await store.moveLater(sub, 'write', T0 + 5_000);
    await store.moveLater(sub, 'read', T0 + 1_000);
    assert.deepEqual(await store.read(sub), { read: T0 + 1_000, write: T0 + 30_000 });
    assert.deepEqual(await store.read(randomUUID()), NOT_THROTTLED, 'another subscription is untouched');

    const rows = [];
    for await (const e of azurite.client(table).listEntities()) rows.push(e);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.partitionKey, sub);
    assert.equal(rows[0]?.rowKey, 'nrp');
  });

  it('ends at the latest of racing writers, whoever writes last (ETags)', async () => {
    const table = freshTable();
    const sub = randomUUID();
    const untils = [7, 3, 9, 1, 8, 2, 6, 4, 5, 0].map((k) => T0 + k * 1_000);
    // A store (and client) per writer, as separate instances would have.
    await Promise.all(untils.map((until) => new TableThrottleStore(azurite.client(table)).moveLater(sub, 'write', until)));
    assert.equal((await new TableThrottleStore(azurite.client(table)).read(sub)).write, T0 + 9_000);
  });

  it('lets a 429 seen by one gate delay the writes of another gate on the same table', async () => {
    const table = freshTable();
    const sub = randomUUID();
    const clock = new FakeClock(T0);
    const gate = (): ThrottleGate => new ThrottleGate(new TableThrottleStore(azurite.client(table)), sub, { clock, sleep: clock.sleep, sharedRefreshMs: 0 });
    const a = gate();
    const b = gate();

    await clock.run(b.acquire('write'));
    assert.equal(clock.now(), T0, 'nothing throttled yet: b writes at once');

    await a.recordThrottled('write', 30_000);
    await clock.run(b.acquire('read'));
    assert.equal(clock.now(), T0, 'b reads on: only writes are paused');
    await clock.run(b.acquire('write'));
    assert.equal(clock.now(), T0 + 30_000, "b's write waits out the pause a recorded");
  });
});
