// TableStateStore against Azurite (in this process, in memory): the shared contract, then what
// only Table Storage has: crashes part-way through a save, a claim taken over by another save,
// the entity layout and limits, and the number of transactions a typical save costs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { odata } from '@azure/data-tables';
import fc from 'fast-check';
import type { ClusterState } from '../../../shared/engine/types.ts';
import { StateCorruptError } from '../../../shared/state/stateCodec.ts';
import { StateLimitError, partitionKeyOf, rowKeyOf, rowsOf } from '../../../shared/state/stateRows.ts';
import type { LoadedState } from '../../../shared/state/stateStore.ts';
import { isStateConflictError } from '../../../shared/state/stateStore.ts';
import { CHUNK_CHARS } from '../../../shared/state/tableEntities.ts';
import type { StoredEntity } from '../../../shared/state/tableEntities.ts';
import { TableStateStore } from '../../../shared/state/tableStateStore.ts';
import { pod } from '../../support/builders.ts';
import type { Azurite, InstrumentedTableClient } from './azurite.ts';
import { startAzurite } from './azurite.ts';
import { describeStateStoreContract } from './stateStore.contract.ts';
import { churn, richState, syncedState, withBigLocation, withBigSlice, withMirror } from './states.ts';

let azurite: Azurite;
let tables = 0;

function freshTable(): string {
  return `state${++tables}x${randomUUID().replaceAll('-', '').slice(0, 10)}`;
}

function storeOn(tableName: string): { client: InstrumentedTableClient; store: TableStateStore } {
  const client = azurite.client(tableName);
  return { client, store: new TableStateStore(client) };
}

async function rawRows(client: InstrumentedTableClient, cluster: string): Promise<StoredEntity[]> {
  const out: StoredEntity[] = [];
  for await (const e of client.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${partitionKeyOf(cluster)}` } })) out.push(e);
  return out;
}

/** The stored rows are exactly the state's rows plus meta: nothing soft-deleted, nothing left over. */
async function assertNoResidue(client: InstrumentedTableClient, state: ClusterState): Promise<void> {
  const rows = await rawRows(client, state.cluster);
  assert.deepEqual(rows.map((e) => e.rowKey).sort(), ['meta', ...rowsOf(state).keys()].sort());
  const meta = rows.find((e) => e.rowKey === 'meta');
  assert.equal(meta?.['pending'], '');
  for (const e of rows) {
    if (e.rowKey === 'meta') continue;
    assert.equal(e['deleted'], false, `${e.rowKey} is not soft-deleted`);
    const committed = (e['gen'] as number) < (meta?.['generation'] as number) || (e['gen'] === meta?.['generation'] && e['writer'] === meta?.['writer']);
    assert.ok(committed, `${e.rowKey} is committed`);
  }
}

/** 150 more pods in a rich state: rows a later save can delete. */
function withPods(state: ClusterState, prefix: string, count: number): ClusterState {
  const pods = new Map(state.kube.pods);
  for (let i = 0; i < count; i++) pods.set(`ns/${prefix}${i}`, { fact: pod(`${prefix}${i}`, null, { namespace: 'ns' }), snapshot: 'initial', registered: null, live: false });
  return { ...state, kube: { ...state.kube, pods } };
}

/**
 * A change of 300 rows: 120 of the `p` pods go, the other 30 change, 150 `q` pods come, and the
 * sequence moves on. At 99 rows a transaction that is four transactions (3, 99, 99, 99 rows),
 * updates first: the committing one deletes 99 rows outright, the one before soft-deletes the
 * other 21, which one more transaction deletes after the commit.
 */
function bigChange(state: ClusterState): ClusterState {
  const pods = new Map(state.kube.pods);
  for (let i = 0; i < 120; i++) pods.delete(`ns/p${i}`);
  for (let i = 120; i < 150; i++) {
    const p = pods.get(`ns/p${i}`);
    assert.ok(p);
    pods.set(`ns/p${i}`, { ...p, snapshot: 'later' });
  }
  const grown = withPods({ ...state, kube: { ...state.kube, pods } }, 'q', 150);
  return { ...grown, sequence: state.sequence + 1 };
}

/**
 * `state` with its big location `10.0.0.4` reworked: every address gains a service and the last
 * 500 addresses go, so every part is rewritten and the last parts are deleted.
 */
function reworkedLocation(state: ClusterState): ClusterState {
  const loc = state.nrp.locations.get('10.0.0.4');
  assert.ok(loc);
  const kept = [...loc.addresses].slice(0, loc.addresses.size - 500);
  const addresses = new Map(kept.map(([address, services]) => [address, [...services, 'ffffffff-0000-4000-8000-reworked0000'].sort()] as const));
  return { ...state, nrp: { ...state.nrp, locations: new Map(state.nrp.locations).set('10.0.0.4', { ...loc, addresses }) }, sequence: state.sequence + 1 };
}

async function seeded(): Promise<{ client: InstrumentedTableClient; store: TableStateStore; loaded: LoadedState }> {
  const { client, store } = storeOn(freshTable());
  const state = withPods(richState(), 'p', 150);
  await store.save(await store.load(state.cluster), state);
  const loaded = await store.load(state.cluster);
  assert.deepEqual(loaded.state, state);
  client.take();
  return { client, store, loaded };
}

describe('TableStateStore', () => {
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite.stop();
  });

  describeStateStoreContract('TableStateStore', () => {
    const { client, store } = storeOn(freshTable());
    return Promise.resolve({ store, takeRowWrites: () => client.take().rows });
  });

  describe('crash safety', () => {
    it('makes a big change in four transactions and one clean-up transaction', async () => {
      const { client, store, loaded } = await seeded();
      await store.save(loaded, bigChange(loaded.state));
      const { transactions, rows } = client.take();
      assert.equal(transactions, 5);
      assert.equal(rows.length, 300 + 21);
      await assertNoResidue(client, bigChange(loaded.state));
    });

    for (const crashAt of [0, 1, 2, 3]) {
      const when = ['before the claim', 'after the claim', 'after two of four transactions', 'just before the commit'][crashAt];
      it(`loads the previous state after a crash ${when}, and the next save leaves no residue`, async () => {
        const { client, store, loaded } = await seeded();
        client.crashAt = crashAt;
        await assert.rejects(store.save(loaded, bigChange(loaded.state)), /injected crash/);
        client.crashAt = null;

        const afterCrash = await store.load(loaded.state.cluster);
        assert.deepEqual(afterCrash.state, loaded.state);
        const next = bigChange(afterCrash.state);
        await store.save(afterCrash, next);
        assert.deepEqual((await store.load(next.cluster)).state, next);
        await assertNoResidue(client, next);
      });
    }

    it('never mixes the parts of two saves of a location: a crash between them loads the old location whole', async () => {
      const { client, store } = storeOn(freshTable());
      const state = withBigLocation(syncedState(0, 'parts-crash'), 4_000, 20);
      await store.save(await store.load(state.cluster), state);
      const loaded = await store.load(state.cluster);
      const next = reworkedLocation(loaded.state);

      // The same save on a twin table, to see it spans several transactions.
      const twin = storeOn(freshTable());
      await twin.store.save(await twin.store.load(state.cluster), state);
      twin.client.take();
      await twin.store.save(await twin.store.load(state.cluster), next);
      const { transactions } = twin.client.take();
      assert.ok(transactions >= 2, `the save takes ${transactions} transactions`);

      client.take();
      client.crashAt = transactions - 1;
      await assert.rejects(store.save(loaded, next), /injected crash/);
      client.crashAt = null;
      // The table now holds new parts (uncommitted) beside old ones; the load reads every part as it was.
      const rows = await rawRows(client, state.cluster);
      const generation = rows.find((e) => e.rowKey === 'meta')?.['generation'];
      const head = rowKeyOf('loc', '10.0.0.4');
      const parts = rows.filter((e) => e.rowKey === head || e.rowKey?.startsWith(`${head}|`));
      assert.ok(typeof generation === 'number');
      assert.ok(parts.some((e) => e['gen'] === generation + 1), 'some parts of the new location were written');
      assert.ok(parts.some((e) => e['gen'] === generation), 'some parts are still those of the old location');
      const afterCrash = await store.load(state.cluster);
      assert.deepEqual(afterCrash.state, loaded.state);

      const again = reworkedLocation(afterCrash.state);
      await store.save(afterCrash, again);
      assert.deepEqual((await store.load(again.cluster)).state, again);
      await assertNoResidue(client, again);
    });

    it('lets a second reader load across a whole save: it gets the state after, not a corruption error', async () => {
      const { client, store, loaded } = await seeded();
      const next = bigChange(loaded.state);
      // The reader reads meta, then the whole save commits, then the reader lists the rows.
      const readerClient = azurite.client(client.tableName);
      let saveBetween: (() => Promise<unknown>) | null = () => store.save(loaded, next);
      const getEntity = readerClient.getEntity.bind(readerClient);
      readerClient.getEntity = (async (...args: Parameters<typeof readerClient.getEntity>) => {
        const meta = await getEntity(...args);
        const hook = saveBetween;
        saveBetween = null;
        if (hook) await hook();
        return meta;
      }) as typeof readerClient.getEntity;
      const read = await new TableStateStore(readerClient).load(loaded.state.cluster);
      assert.equal(saveBetween, null, 'the save ran between the reader\'s meta read and its row listing');
      assert.deepEqual(read.state, next);
    });

    it('loads the initial state after a crash during the first save of a cluster, and saves again', async () => {
      const { client, store } = storeOn(freshTable());
      const state = withPods(richState(), 'p', 150);
      const empty = await store.load(state.cluster);
      client.crashAt = 1;
      await assert.rejects(store.save(empty, state), /injected crash/);
      client.crashAt = null;
      const afterCrash = await store.load(state.cluster);
      assert.deepEqual(afterCrash.state, empty.state);
      await store.save(afterCrash, state);
      assert.deepEqual((await store.load(state.cluster)).state, state);
      await assertNoResidue(client, state);
    });

    it('loads the new state after a crash between the commit and the clean-up, and the next save cleans up', async () => {
      const { client, store, loaded } = await seeded();
      const next = bigChange(loaded.state);
      client.crashAt = 4;
      const saved = await store.save(loaded, next); // the clean-up is best effort: the save succeeded
      client.crashAt = null;
      assert.equal(saved.state, next);
      const reloaded = await store.load(next.cluster);
      assert.deepEqual(reloaded.state, next);
      const softDeleted = (await rawRows(client, next.cluster)).filter((e) => e['deleted'] === true);
      assert.equal(softDeleted.length, 21);

      const later = { ...next, nrpEpoch: next.nrpEpoch + 1 };
      await store.save(reloaded, later);
      assert.deepEqual((await store.load(later.cluster)).state, later);
      await assertNoResidue(client, later);
    });

    it('stops a save whose claim another save took over: it writes nothing more and the other save stands', async () => {
      const { client, store, loaded } = await seeded();
      const other = storeOn(client.tableName);
      const theirs: { state: ClusterState | null } = { state: null };
      client.beforeTransaction = async (index) => {
        if (index !== 1) return;
        // Our save has claimed and written its first batch; another instance loads and saves.
        const l = await other.store.load(loaded.state.cluster);
        assert.deepEqual(l.state, loaded.state, 'the other load sees the committed state');
        theirs.state = { ...l.state, nrpEpoch: l.state.nrpEpoch + 7 };
        await other.store.save(l, theirs.state);
      };
      await assert.rejects(store.save(loaded, bigChange(loaded.state)), (e: unknown) => isStateConflictError(e));
      client.beforeTransaction = null;
      assert.ok(theirs.state, 'the other save ran');
      const reloaded = await store.load(loaded.state.cluster);
      assert.deepEqual(reloaded.state, theirs.state);
      const next = { ...reloaded.state, sequence: reloaded.state.sequence + 1 };
      await store.save(reloaded, next);
      await assertNoResidue(client, next);
    });
  });

  describe('entities and limits', () => {
    it('sends no transaction for an unchanged state and one for a small change', async () => {
      const { client, store, loaded } = await seeded();
      await store.save(loaded, loaded.state);
      assert.equal(client.take().transactions, 0);
      await store.save(loaded, { ...loaded.state, sequence: loaded.state.sequence + 1 });
      assert.deepEqual(client.take(), { transactions: 1, rows: [], perTransaction: [0] });
    });

    it('splits long values into properties of at most 30,000 characters, every entity at schema version 1', async () => {
      const { client, store } = storeOn(freshTable());
      const state = withBigSlice(syncedState(0, 'chunks'), 1_000);
      await store.save(await store.load('chunks'), state);
      const rows = await rawRows(client, 'chunks');
      for (const e of rows) assert.equal(e['schemaVersion'], 1, `${e.rowKey} has schemaVersion 1`);
      const big = rows.find((e) => e.rowKey === 'slice|default!2Fbig-1');
      assert.ok(big);
      const n = big['dn'];
      assert.ok(typeof n === 'number' && n >= 2, `the slice is split (${String(n)} parts)`);
      for (let i = 0; i < n; i++) {
        const part = big[`d${i}`];
        assert.ok(typeof part === 'string' && part.length <= CHUNK_CHARS);
      }
    });

    it('refuses a row too large for an entity before writing anything', async () => {
      const { client, store, loaded } = await seeded();
      const huge = withBigSlice(loaded.state, 5_000);
      await assert.rejects(store.save(loaded, huge), StateLimitError);
      assert.equal(client.take().transactions, 0);
      assert.deepEqual((await store.load(loaded.state.cluster)).state, loaded.state);
    });

    it('refuses to load a row of a schema version it does not know', async () => {
      const { client, loaded } = await seeded();
      const pk = partitionKeyOf(loaded.state.cluster);
      const [row] = (await rawRows(client, loaded.state.cluster)).filter((e) => e.rowKey !== 'meta');
      assert.ok(row?.rowKey);
      // Written behind meta's back, so only a store that kept nothing reads it (a real writer of
      // a newer schema commits through meta, which every store's next load sees).
      await client.updateEntity({ partitionKey: pk, rowKey: row.rowKey, schemaVersion: 2 }, 'Merge');
      await assert.rejects(new TableStateStore(client).load(loaded.state.cluster), StateCorruptError);
    });

    it('creates its table when missing and shares an existing one', async () => {
      const table = freshTable();
      const a = storeOn(table);
      const b = storeOn(table);
      const state = syncedState(0, 'shared');
      await a.store.save(await a.store.load('shared'), state);
      assert.deepEqual((await b.store.load('shared')).state, state);
    });
  });

  describe('the kept state', () => {
    it('loads its own last save with one point read and no listing of the partition', async () => {
      const { client, store, loaded } = await seeded();
      const next = { ...loaded.state, sequence: loaded.state.sequence + 1 };
      await store.save(loaded, next);
      client.listings = 0;
      const again = await store.load(next.cluster);
      assert.equal(client.listings, 0);
      assert.equal(again.state, next, 'the very state it saved');
      const fresh = await new TableStateStore(azurite.client(client.tableName)).load(next.cluster);
      assert.deepEqual(fresh.state, again.state, 'what a store that kept nothing reads');
    });

    it('reads the whole partition again after another writer saved, and returns what that writer saved', async () => {
      const { client, store, loaded } = await seeded();
      const other = storeOn(client.tableName).store;
      const theirs = { ...loaded.state, nrpEpoch: loaded.state.nrpEpoch + 3 };
      await other.save(await other.load(loaded.state.cluster), theirs);
      client.listings = 0;
      const reloaded = await store.load(loaded.state.cluster);
      assert.equal(client.listings, 1);
      assert.deepEqual(reloaded.state, theirs);
      await assert.rejects(store.save(loaded, { ...loaded.state, sequence: 99 }), (e: unknown) => isStateConflictError(e), 'the stale load still conflicts');
      const mine = { ...reloaded.state, sequence: reloaded.state.sequence + 1 };
      await store.save(reloaded, mine);
      assert.deepEqual((await other.load(mine.cluster)).state, mine);
    });

    it('forgets what it kept when a save fails part-way, and loads the committed state from the table', async () => {
      const { client, store, loaded } = await seeded();
      client.crashAt = 2;
      await assert.rejects(store.save(loaded, bigChange(loaded.state)), /injected crash/);
      client.crashAt = null;
      client.listings = 0;
      const reloaded = await store.load(loaded.state.cluster);
      assert.equal(client.listings, 1);
      assert.deepEqual(reloaded.state, loaded.state);
      const next = bigChange(reloaded.state);
      await store.save(reloaded, next);
      await assertNoResidue(client, next);
    });

    it('keeps at most keptClusters clusters, least recently used out first, and none with 0', async () => {
      const table = freshTable();
      const client = azurite.client(table);
      const store = new TableStateStore(client, { keptClusters: 1 });
      const a = syncedState(0, 'kept-a');
      const b = syncedState(0, 'kept-b');
      await store.save(await store.load('kept-a'), a);
      await store.save(await store.load('kept-b'), b);
      client.listings = 0;
      await store.load('kept-b');
      assert.equal(client.listings, 0, 'b is kept');
      await store.load('kept-a');
      assert.equal(client.listings, 1, 'a was pushed out by b');
      const none = new TableStateStore(client, { keptClusters: 0 });
      await none.save(await none.load('kept-c'), syncedState(0, 'kept-c'));
      client.listings = 0;
      await none.load('kept-c');
      assert.equal(client.listings, 1);
      assert.throws(() => new TableStateStore(client, { keptClusters: -1 }), RangeError);
    });

    it('loads what a store that keeps nothing loads, across any interleaving of two writers', async () => {
      const table = freshTable();
      const cluster = 'interleaved';
      const stores = [new TableStateStore(azurite.client(table)), new TableStateStore(azurite.client(table))];
      const truth = new TableStateStore(azurite.client(table), { keptClusters: 0 });
      await fc.assert(
        fc.asyncProperty(fc.array(fc.record({ writer: fc.nat(1), bump: fc.integer({ min: 1, max: 3 }), reloadFirst: fc.boolean() }), { minLength: 1, maxLength: 8 }), async (steps) => {
          const held: (LoadedState | null)[] = [null, null];
          for (const step of steps) {
            const store = stores[step.writer];
            assert.ok(store);
            const from = step.reloadFirst || held[step.writer] === null ? await store.load(cluster) : held[step.writer];
            assert.ok(from);
            try {
              held[step.writer] = await store.save(from, { ...from.state, sequence: from.state.sequence + step.bump });
            } catch (e) {
              if (!isStateConflictError(e)) throw e;
              held[step.writer] = null;
            }
            const expected = (await truth.load(cluster)).state;
            for (const s of stores) assert.deepEqual((await s.load(cluster)).state, expected);
          }
        }),
        { numRuns: 25 },
      );
    });
  });

  describe('cost', () => {
    it('measures the transactions of saving a 1,000-event batch of churn', async () => {
      const { client, store } = storeOn(freshTable());
      const { before: settled, after: churned, events } = churn();
      const first = await store.save(await store.load(settled.cluster), settled);
      const initial = client.take();
      await store.save(first, churned);
      const batch = client.take();
      assert.deepEqual((await store.load(churned.cluster)).state, churned);

      const mirror = storeOn(freshTable());
      const big = withMirror(syncedState(0, 'mirror'), 1_000, 100);
      await mirror.store.save(await mirror.store.load('mirror'), big);
      const mirrorSave = mirror.client.take();

      console.log(
        [
          `state rows: settled cluster ${rowsOf(settled).size}, after churn ${rowsOf(churned).size}`,
          `first save of the settled cluster: ${initial.transactions} transactions, ${initial.rows.length} row operations`,
          `save after one decide() over ${events} events: ${batch.transactions} transactions, ${batch.rows.length} row operations (${batch.perTransaction.join(' + ')})`,
          `first save of a 100,000-address mirror (1,000 locations): ${mirrorSave.transactions} transactions, ${mirrorSave.rows.length} row operations`,
        ].join('\n'),
      );
      assert.ok(batch.transactions >= 1);
    });
  });
});
