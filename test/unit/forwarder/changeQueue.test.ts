import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObjectKind } from '../../../shared/engine/types.ts';
import type { OutboxBounds, QueuedChange } from '../../../forwarder/changeQueue.ts';
import { ChangeQueue } from '../../../forwarder/changeQueue.ts';

function change(key: string, version: string, objectKind: KubeObjectKind = 'Pod', bytes = 10): QueuedChange {
  return { key, objectKind, marker: false, message: { queue: 'engine-events', body: { version }, messageId: `${key}@${version}`, sessionId: 'c' }, bytes };
}

function marker(objectKind: KubeObjectKind, rv: string): QueuedChange {
  return { key: `synced/${objectKind}`, objectKind, marker: true, message: { queue: 'engine-events', body: { rv }, messageId: `synced/${objectKind}@${rv}`, sessionId: 'c' }, bytes: 10 };
}

/** Bounded in objects only (bytes out of the way). */
const objects = (maxObjects: number): OutboxBounds => ({ maxObjects, maxBytes: 2 ** 40 });

const ids = (q: ChangeQueue): string[] => q.peek(100).map((c) => c.message.messageId);

describe('the outbox', () => {
  it('keeps one change per object, the latest, in the place of the first', () => {
    const coalesced: string[] = [];
    const q = new ChangeQueue(objects(10), { onCoalesced: (k) => coalesced.push(k) });
    assert.equal(q.put(change('a', '1')), 'added');
    assert.equal(q.put(change('b', '1')), 'added');
    assert.equal(q.put(change('a', '2')), 'coalesced');
    assert.deepEqual(ids(q), ['a@2', 'b@1']);
    assert.deepEqual(coalesced, ['Pod']);
  });

  it('keeps a queued change over an older one of the same object (an action answer racing the watch)', () => {
    const q = new ChangeQueue(objects(10));
    // The label removal (rv 21) is queued; the answer to an earlier AddFinalizer (rv 20) comes after.
    assert.equal(q.put({ ...change('p', '21'), resourceVersion: '21' }), 'added');
    assert.equal(q.put({ ...change('p', '20'), resourceVersion: '20' }), 'coalesced');
    assert.deepEqual(ids(q), ['p@21']);
    assert.equal(q.put({ ...change('p', '22'), resourceVersion: '22' }), 'coalesced');
    assert.deepEqual(ids(q), ['p@22']);
  });

  it('drops a new object when full, counts it, and still coalesces known objects', () => {
    const dropped: string[] = [];
    const q = new ChangeQueue(objects(2), { onDropped: (k) => dropped.push(k) });
    q.put(change('a', '1'));
    q.put(change('b', '1'));
    assert.equal(q.put(change('c', '1', 'Service')), 'dropped');
    assert.equal(q.put(change('b', '2')), 'coalesced');
    assert.deepEqual(ids(q), ['a@1', 'b@2']);
    assert.deepEqual(dropped, ['Service']);
  });

  it('drops a new object that would take its bytes past the bound, naming the bound', () => {
    const dropped: string[] = [];
    const q = new ChangeQueue({ maxObjects: 10, maxBytes: 100 }, { onDropped: (k, reason) => dropped.push(`${k}:${reason}`) });
    assert.equal(q.put(change('a', '1', 'Pod', 60)), 'added');
    assert.equal(q.put(change('b', '1', 'Pod', 41)), 'dropped');
    assert.equal(q.put(change('c', '1', 'Pod', 40)), 'added');
    assert.equal(q.bytes, 100);
    assert.deepEqual(dropped, ['Pod:bytes']);
    const full = new ChangeQueue(objects(1), { onDropped: (k, reason) => dropped.push(`${k}:${reason}`) });
    full.put(change('a', '1'));
    full.put(change('b', '1'));
    assert.deepEqual(dropped, ['Pod:bytes', 'Pod:objects']);
  });

  it('refuses a newer state that grows past the byte bound, keeping the queued one; a shrinking one always fits', () => {
    const dropped: string[] = [];
    const q = new ChangeQueue({ maxObjects: 10, maxBytes: 100 }, { onDropped: (_k, reason) => dropped.push(reason) });
    q.put(change('a', '1', 'Pod', 50));
    q.put(change('b', '1', 'Pod', 40));
    assert.equal(q.put(change('a', '2', 'Pod', 61)), 'dropped');
    assert.deepEqual(ids(q), ['a@1', 'b@1']);
    assert.equal(q.put(change('a', '3', 'Pod', 60)), 'coalesced');
    assert.equal(q.bytes, 100);
    assert.equal(q.put(change('a', '4', 'Pod', 5)), 'coalesced');
    assert.equal(q.bytes, 45);
    assert.deepEqual(dropped, ['bytes']);
  });

  it('admits a snapshot beyond the byte bound, and is half empty again only when both bounds are', () => {
    const q = new ChangeQueue({ maxObjects: 4, maxBytes: 100 });
    assert.equal(q.put(change('a', '1', 'Pod', 90), true), 'added');
    assert.equal(q.put(change('b', '1', 'Pod', 90), true), 'added');
    assert.equal(q.bytes, 180);
    assert.equal(q.halfEmpty, false, '2 of 4 objects, but 180 of 100 bytes');
    q.ack(q.peek(1));
    assert.equal(q.halfEmpty, false, '90 bytes');
    q.put(change('b', '2', 'Pod', 50));
    assert.equal(q.halfEmpty, true);
  });

  it('puts a newer marker of a kind behind everything, replacing the older one', () => {
    const q = new ChangeQueue(objects(10));
    q.put(change('a', '1'));
    q.putMarker(marker('Pod', '5'));
    q.put(change('b', '1'));
    q.putMarker(marker('Node', '5'));
    q.putMarker(marker('Pod', '9'));
    assert.deepEqual(ids(q), ['a@1', 'b@1', 'synced/Node@5', 'synced/Pod@9']);
  });

  it('admits a snapshot change beyond the bound when forced', () => {
    const q = new ChangeQueue(objects(1));
    q.put(change('a', '1'));
    assert.equal(q.put(change('b', '1'), true), 'added');
    assert.equal(q.put(change('c', '1')), 'dropped');
    assert.equal(q.size, 2);
  });

  it('does not count markers against the bound', () => {
    const q = new ChangeQueue(objects(1));
    q.putMarker(marker('Pod', '1'));
    assert.equal(q.put(change('a', '1')), 'added');
    assert.equal(q.size, 2);
  });

  it('acknowledges only the changes that were sent, not newer states of them', () => {
    const q = new ChangeQueue(objects(10));
    q.put(change('a', '1'));
    q.put(change('b', '1'));
    const sent = q.peek(2);
    q.put(change('a', '2'));
    q.ack(sent);
    assert.deepEqual(ids(q), ['a@2']);
  });

  it('wakes a waiter when a change arrives and returns at once when not empty', async () => {
    const q = new ChangeQueue(objects(10));
    let woke = false;
    const waiting = q.whenNotEmpty().then(() => (woke = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(woke, false);
    q.put(change('a', '1'));
    await waiting;
    assert.equal(woke, true);
    await q.whenNotEmpty();
  });

  it('releases a waiter when its signal aborts', async () => {
    const q = new ChangeQueue(objects(10));
    const ac = new AbortController();
    const waiting = q.whenNotEmpty(ac.signal);
    ac.abort();
    await waiting;
    assert.equal(q.size, 0);
  });

  it('refuses bounds that are not positive integers', () => {
    assert.throws(() => new ChangeQueue(objects(0)), /maxObjects must be a positive integer/);
    assert.throws(() => new ChangeQueue({ maxObjects: 1, maxBytes: 0.5 }), /maxBytes must be a positive integer/);
  });
});
