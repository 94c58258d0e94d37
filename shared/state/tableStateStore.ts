// ClusterState in Azure Table Storage: one partition per cluster, one row per map entry plus a meta
// row, and a commit protocol that makes a save spanning several transactions all-or-nothing
// (docs/adr/0004-state-in-table-storage.md; the row layout is in docs/state-schema.md).
//
// In short: meta holds the committed `generation` G and the `writer` that committed it. A save
// writes every changed row with gen G+1, its own writer id and an undo copy of the loaded value,
// then commits by setting meta to G+1 and its writer id. A row is committed iff gen < G, or
// gen == G and its writer committed G; any other row reads as its undo copy. Every transaction of
// a save also updates meta under its ETag, so a save whose claim someone else took can write
// nothing more.
import { statusCodeOf, tableCreator } from '../tables/tableClients.ts';
import { randomUUID } from 'node:crypto';
import { TableClient, odata } from '@azure/data-tables';
import type { TableServiceClientOptions, TableTransactionResponse, TransactionAction } from '@azure/data-tables';
import { initialState } from '../engine/state.ts';
import type { ClusterState } from '../engine/types.ts';
import type { LoadedState, StateStore, StoreOptions } from './stateStore.ts';
import { StateConflictError } from './stateStore.ts';
import { META_ROW, assembleState, diffRows, metaJsonOf, partitionKeyOf } from './stateRows.ts';
import type { RowChange } from './stateRows.ts';
import { StateCorruptError } from './stateCodec.ts';
import type { Entity, StoredEntity, StoredMeta } from './tableEntities.ts';
import { metaEntity, payloadBytes, readMeta, readRow, rowEntity } from './tableEntities.ts';
import { assertRowLimits } from './stateLimits.ts';

export const DEFAULT_STATE_TABLE = 'engineState';

/** Entity operations per transaction: Table Storage's 100, less the meta row each one updates. */
const ROWS_PER_TRANSACTION = 99;
/** A transaction's body must stay under 4 MiB; this leaves room for headers and the meta row. */
const BYTES_PER_TRANSACTION = 3.5 * 1024 * 1024;
/** Bytes per operation besides the row's JSON: changeset headers, keys, bookkeeping properties. */
const BYTES_PER_OPERATION = 1_024;

export interface TableStateStoreOptions {
  /** Create the table on first use (default true); an existing table is fine. */
  readonly ensureTable?: boolean | undefined;
  /**
   * How many clusters' last loaded or saved state this store keeps (default 8; 0 keeps none). A
   * load whose meta row still has the kept ETag returns the kept state after one point read:
   * every save changes meta's ETag in every transaction it sends, so an unchanged ETag means no
   * row changed. Only a load after another writer's save reads the whole partition.
   */
  readonly keptClusters?: number | undefined;
}

const DEFAULT_KEPT_CLUSTERS = 8;

/** A row write a save plans: `put` a value, `remove` a committed row, or `purge` a row that is
 * physically there but holds nothing committed (residue of an earlier save). */
type PlannedWrite =
  | { readonly kind: 'put'; readonly rowKey: string; readonly value: string; readonly loaded: string | null }
  | { readonly kind: 'remove'; readonly rowKey: string; readonly loaded: string }
  | { readonly kind: 'purge'; readonly rowKey: string };

/** What a save needs from the load it starts from. Opaque to callers. */
class TableVersion {
  readonly store: TableStateStore;
  readonly cluster: string;
  readonly partitionKey: string;
  /** ETag of the meta row as loaded; null when the cluster has no meta row yet. */
  readonly metaEtag: string | null;
  readonly generation: number;
  /** The loaded state: the loaded value of every row is its encoding of the matching entry. */
  readonly base: ClusterState;
  readonly metaJson: string;
  /** Rows found uncommitted, with their committed JSON (null: the row does not exist). */
  readonly uncommitted: ReadonlyMap<string, string | null>;
  /** Rows physically present that hold nothing committed: soft-deleted rows and strays. */
  readonly residue: ReadonlySet<string>;

  constructor(fields: Omit<TableVersion, never>) {
    this.store = fields.store;
    this.cluster = fields.cluster;
    this.partitionKey = fields.partitionKey;
    this.metaEtag = fields.metaEtag;
    this.generation = fields.generation;
    this.base = fields.base;
    this.metaJson = fields.metaJson;
    this.uncommitted = fields.uncommitted;
    this.residue = fields.residue;
  }
}


export class TableStateStore implements StateStore {
  private readonly client: TableClient;
  private readonly createTable: ReturnType<typeof tableCreator> | null;
  /** The last version loaded or saved per cluster, least recently used first. */
  private readonly kept = new Map<string, TableVersion>();
  private readonly keptClusters: number;

  constructor(client: TableClient, options: TableStateStoreOptions = {}) {
    this.client = client;
    this.createTable = (options.ensureTable ?? true) ? tableCreator(client) : null;
    const kept = options.keptClusters ?? DEFAULT_KEPT_CLUSTERS;
    if (!Number.isSafeInteger(kept) || kept < 0) throw new RangeError(`keptClusters must be a non-negative integer, got ${kept}`);
    this.keptClusters = kept;
  }

  /**
   * Reads meta, then the rows, then meta again: a save that committed (or wrote) in between
   * changes the meta ETag, and the read is taken again, so a reader beside the writer (the
   * locations function, the debug endpoint) never mistakes a concurrent commit for corruption.
   */
  async load(cluster: string, options: StoreOptions = {}): Promise<LoadedState> {
    await this.ready(options);
    let meta = await this.readMetaRow(partitionKeyOf(cluster), options);
    const kept = this.kept.get(cluster);
    if (kept !== undefined && meta !== null && meta.etag === kept.metaEtag) return this.keep(kept);
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.loadOnce(cluster, meta, options);
      if (loaded !== 'changed') return this.keep(loaded.version);
      if (attempt >= 10) throw new StateConflictError(`cluster ${cluster}: the state kept changing during 10 reads`);
      meta = await this.readMetaRow(partitionKeyOf(cluster), options);
    }
  }

  /** Remember `v` as the cluster's latest known version, and hand it out as a LoadedState. */
  private keep(v: TableVersion): LoadedState {
    this.kept.delete(v.cluster);
    if (this.keptClusters > 0) {
      this.kept.set(v.cluster, v);
      for (const cluster of this.kept.keys()) {
        if (this.kept.size <= this.keptClusters) break;
        this.kept.delete(cluster);
      }
    }
    return { state: v.base, version: v };
  }

  /** The state under `meta` (as just read), or 'changed' when a save moved meta during the read. */
  private async loadOnce(cluster: string, meta: StoredMeta | null, options: StoreOptions): Promise<{ version: TableVersion } | 'changed'> {
    const partitionKey = partitionKeyOf(cluster);
    if (meta === null) {
      const state = initialState(cluster);
      return { version: this.version({ cluster, partitionKey, metaEtag: null, generation: 0, base: state, uncommitted: new Map(), residue: new Set() }) };
    }

    const rows = new Map<string, string>();
    const uncommitted = new Map<string, string | null>();
    const residue = new Set<string>();
    let corrupt: string | null = null;
    const pages = this.client
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` }, abortSignal: options.abortSignal })
      .byPage({ maxPageSize: 1_000 });
    for await (const page of pages) {
      for (const e of page) {
        const rowKey = e.rowKey;
        if (rowKey === undefined || rowKey === META_ROW) continue;
        const row = readRow(e);
        const committed = row.gen < meta.generation || (row.gen === meta.generation && row.writer === meta.writer);
        if (committed) {
          if (row.value === null) residue.add(rowKey);
          else rows.set(rowKey, row.value);
          continue;
        }
        if (row.undo === 'none') corrupt ??= rowKey;
        uncommitted.set(rowKey, row.undoValue);
        if (row.undoValue !== null) rows.set(rowKey, row.undoValue);
      }
    }
    if ((await this.readMetaRow(partitionKey, options))?.etag !== meta.etag) return 'changed';
    if (corrupt !== null) throw new StateCorruptError(`row ${corrupt} of cluster ${cluster} is uncommitted but has no undo copy`);
    const { state, strays } = assembleState(cluster, meta.json, rows);
    for (const rowKey of strays) {
      uncommitted.delete(rowKey);
      residue.add(rowKey);
    }
    return { version: this.version({ cluster, partitionKey, metaEtag: meta.etag, generation: meta.generation, base: state, uncommitted, residue }) };
  }

  /** The meta row's ETag: every transaction of every save updates meta, the commit included. */
  async stamp(cluster: string, options: StoreOptions = {}): Promise<string | null> {
    await this.ready(options);
    return (await this.readMetaRow(partitionKeyOf(cluster), options))?.etag ?? null;
  }

  async save(loaded: LoadedState, next: ClusterState, options: StoreOptions = {}): Promise<LoadedState> {
    const v = loaded.version;
    if (!(v instanceof TableVersion) || v.store !== this) throw new TypeError('save: the LoadedState was not loaded from this store');
    if (next.cluster !== v.cluster) throw new TypeError(`save: state of cluster ${next.cluster} given for cluster ${v.cluster}`);
    const changes = diffRows(v.base, next);
    const metaJson = metaJsonOf(next);
    // Nothing changed: nothing is written, and the loaded version stays current. Rows a crashed
    // save left behind can wait: they matter only once the generation moves on, which takes a save
    // that writes, and that save repairs them.
    if (changes.length === 0 && metaJson === v.metaJson) return loaded;

    const writer = randomUUID();
    const generation = v.generation + 1;
    const batches = toTransactions(plannedWrites(v, changes));
    const fence = (step: number | string): string => `${writer}:${step}`;
    let etag = v.metaEtag;
    const softDeleted: string[] = [];

    for (const [i, batch] of batches.entries()) {
      const committing = i === batches.length - 1;
      let metaAction: TransactionAction;
      if (committing) {
        const entity = metaEntity(v.partitionKey, { generation, writer, pending: '', fence: fence(i), json: metaJson });
        metaAction = etag === null ? ['create', entity] : ['update', entity, 'Replace', { etag }];
      } else if (etag === null) {
        // The cluster's first save claims by creating meta, still empty and at generation 0.
        metaAction = ['create', metaEntity(v.partitionKey, { generation: 0, writer: '', pending: writer, fence: fence(i), json: v.metaJson })];
      } else {
        const entity: Entity = { partitionKey: v.partitionKey, rowKey: META_ROW, fence: fence(i), ...(i === 0 ? { pending: writer } : {}) };
        metaAction = ['update', entity, 'Merge', { etag }];
      }
      const actions: TransactionAction[] = [metaAction];
      for (const w of batch) {
        const row = { partitionKey: v.partitionKey, rowKey: w.rowKey, gen: generation, writer };
        if (w.kind === 'purge' || (w.kind === 'remove' && committing)) {
          actions.push(['delete', { partitionKey: v.partitionKey, rowKey: w.rowKey }]);
        } else if (w.kind === 'remove') {
          actions.push(['upsert', rowEntity({ ...row, value: null, undo: { kind: 'value', json: w.loaded } }), 'Replace']);
          softDeleted.push(w.rowKey);
        } else {
          const undo = committing ? { kind: 'none' as const } : w.loaded === null ? { kind: 'absent' as const } : { kind: 'value' as const, json: w.loaded };
          actions.push(['upsert', rowEntity({ ...row, value: w.value, undo }), 'Replace']);
        }
      }
      let response: TableTransactionResponse;
      try {
        response = await this.submit(v.cluster, actions, metaAction[0] === 'create', options);
        etag = await this.metaEtagAfter(v, response, fence(i), options);
      } catch (e) {
        // What is stored is no longer known here (a part of this save, or another writer's).
        this.kept.delete(v.cluster);
        throw e;
      }
    }

    if (etag === null) throw new Error('save: no transaction was sent'); // unreachable: there is always one
    // Committed. Soft-deleted rows are now plain residue: delete them (best effort; a load ignores
    // them and the next save that writes deletes whatever is left).
    const residue = new Set(softDeleted);
    for (let i = 0; i < softDeleted.length; i += ROWS_PER_TRANSACTION) {
      const chunk = softDeleted.slice(i, i + ROWS_PER_TRANSACTION);
      const step = fence(`cleanup${i}`);
      const actions: TransactionAction[] = [['update', { partitionKey: v.partitionKey, rowKey: META_ROW, fence: step }, 'Merge', { etag }]];
      for (const rowKey of chunk) actions.push(['delete', { partitionKey: v.partitionKey, rowKey }]);
      try {
        const response = await this.submit(v.cluster, actions, false, options);
        etag = await this.metaEtagAfter(v, response, step, options);
        for (const rowKey of chunk) residue.delete(rowKey);
      } catch {
        break;
      }
    }
    const saved = this.version({ cluster: v.cluster, partitionKey: v.partitionKey, metaEtag: etag, generation, base: next, uncommitted: new Map(), residue });
    // A load hands tombstones out in deletion order (pruning relies on it); the engine keeps them
    // so, and a state that does not is not kept, so the next load reads the order from the table.
    if (inDeletionOrder(next)) return this.keep(saved);
    this.kept.delete(v.cluster);
    return { state: next, version: saved };
  }

  private version(fields: Omit<TableVersion, 'store' | 'metaJson'>): TableVersion {
    return new TableVersion({ ...fields, store: this, metaJson: metaJsonOf(fields.base) });
  }

  private ready(options: StoreOptions): Promise<void> {
    return this.createTable ? this.createTable(options.abortSignal) : Promise.resolve();
  }

  private async readMetaRow(partitionKey: string, options: StoreOptions): Promise<StoredMeta | null> {
    try {
      return readMeta(await this.client.getEntity<Record<string, unknown>>(partitionKey, META_ROW, { abortSignal: options.abortSignal }));
    } catch (e) {
      if (statusCodeOf(e) === 404) return null;
      throw e;
    }
  }

  /** Submit one transaction; a stale meta ETag (412) or a meta row created meanwhile (409) is a conflict. */
  private async submit(cluster: string, actions: TransactionAction[], createsMeta: boolean, options: StoreOptions): Promise<TableTransactionResponse> {
    try {
      return await this.client.submitTransaction(actions, { abortSignal: options.abortSignal });
    } catch (e) {
      const status = statusCodeOf(e);
      if (status === 412 || (status === 409 && createsMeta)) throw new StateConflictError(cluster);
      throw e;
    }
  }

  /** The meta ETag after a transaction (its first operation). Should the response not carry it,
   * meta is read back: it must still carry our fence, or someone else has written since. */
  private async metaEtagAfter(v: TableVersion, response: TableTransactionResponse, fence: string, options: StoreOptions): Promise<string> {
    const etag = response.subResponses[0]?.etag;
    if (etag !== undefined) return etag;
    const e: StoredEntity = await this.client.getEntity<Record<string, unknown>>(v.partitionKey, META_ROW, { abortSignal: options.abortSignal });
    if (e['fence'] !== fence) throw new StateConflictError(v.cluster);
    return e.etag;
  }
}

function inDeletionOrder(state: ClusterState): boolean {
  let last = -Infinity;
  for (const t of state.kube.tombstones.values()) {
    if (t.deletedAt < last) return false;
    last = t.deletedAt;
  }
  return true;
}

/**
 * The row writes of a save: the changed rows; rows a crashed save left uncommitted, rewritten with
 * their committed value (or deleted when they have none); and residue, deleted. Purges come first
 * and removals last, so that as many removals as possible land in the committing transaction,
 * where they need no soft delete.
 */
function plannedWrites(v: TableVersion, changes: readonly RowChange[]): PlannedWrite[] {
  assertRowLimits(changes);
  const purges: PlannedWrite[] = [];
  const puts: PlannedWrite[] = [];
  const removes: PlannedWrite[] = [];
  const handled = new Set<string>();
  for (const c of changes) {
    handled.add(c.rowKey);
    if (c.after !== null) {
      puts.push({ kind: 'put', rowKey: c.rowKey, value: c.after, loaded: c.before });
    } else if (c.before !== null) {
      removes.push({ kind: 'remove', rowKey: c.rowKey, loaded: c.before });
    }
  }
  for (const [rowKey, committed] of v.uncommitted) {
    if (handled.has(rowKey)) continue;
    handled.add(rowKey);
    if (committed === null) purges.push({ kind: 'purge', rowKey });
    else puts.push({ kind: 'put', rowKey, value: committed, loaded: committed });
  }
  for (const rowKey of v.residue) if (!handled.has(rowKey)) purges.push({ kind: 'purge', rowKey });
  return [...purges, ...puts, ...removes];
}

function writeBytes(w: PlannedWrite): number {
  // Sized as if written before the commit (value and undo), whichever transaction it lands in.
  if (w.kind === 'purge') return BYTES_PER_OPERATION;
  if (w.kind === 'remove') return BYTES_PER_OPERATION + payloadBytes(w.loaded);
  return BYTES_PER_OPERATION + payloadBytes(w.value) + payloadBytes(w.loaded);
}

/**
 * Cut the writes into transactions of at most 99 rows and 3.5 MiB; there is always at least one,
 * the committing one. Cutting from the end fills the committing transaction first, so that it
 * takes as many removals as it can (they are last in `writes`).
 */
function toTransactions(writes: readonly PlannedWrite[]): PlannedWrite[][] {
  const out: PlannedWrite[][] = [];
  let current: PlannedWrite[] = [];
  let bytes = 0;
  for (let i = writes.length - 1; i >= 0; i--) {
    const w = writes[i];
    if (w === undefined) continue;
    const size = writeBytes(w);
    if (current.length > 0 && (current.length === ROWS_PER_TRANSACTION || bytes + size > BYTES_PER_TRANSACTION)) {
      out.push(current.reverse());
      current = [];
      bytes = 0;
    }
    current.push(w);
    bytes += size;
  }
  out.push(current.reverse());
  return out.reverse();
}

/** A store over the table `tableName` (default `engineState`) of the account in `connectionString`. */
export function tableStateStoreFromConnectionString(
  connectionString: string,
  options: TableStateStoreOptions & { readonly tableName?: string; readonly clientOptions?: TableServiceClientOptions } = {},
): TableStateStore {
  const client = TableClient.fromConnectionString(connectionString, options.tableName ?? DEFAULT_STATE_TABLE, options.clientOptions);
  return new TableStateStore(client, options);
}
