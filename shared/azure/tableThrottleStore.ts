// The shared "throttled until" in Azure Table Storage: one entity per scope (PartitionKey = the
// subscription id, RowKey `nrp`) with `readUntil` and `writeUntil` in epoch ms. Writers only ever
// move a value later, under the entity's ETag, so two instances that see 429s at once cannot
// shorten each other's pause.
import { statusCodeOf, tableCreator } from '../tables/tableClients.ts';
import { TableClient } from '@azure/data-tables';
import type { TableServiceClientOptions } from '@azure/data-tables';
import { DEFAULT_THROTTLE_TABLE } from './throttleDefaults.ts';
import type { RequestKind } from './throttleDefaults.ts';
import { NOT_THROTTLED } from './throttleStore.ts';
import type { ThrottleStore, ThrottleStoreOptions, ThrottledUntil } from './throttleStore.ts';

const ROW_KEY = 'nrp';
/** Optimistic-concurrency rounds before giving up: each lost round means another writer moved it. */
const MAX_ATTEMPTS = 8;

const PROPERTY: Readonly<Record<RequestKind, 'readUntil' | 'writeUntil'>> = { read: 'readUntil', write: 'writeUntil' };

interface ThrottleEntity {
  readonly readUntil?: unknown;
  readonly writeUntil?: unknown;
}

export interface TableThrottleStoreOptions {
  /** Create the table on first use (default true); an existing table is fine. */
  readonly ensureTable?: boolean | undefined;
}


/** Epoch ms do not fit an Int32, the type an untyped JSON integer would get: say Double (exact to 2^53). */
function asDouble(ms: number): { value: number; type: 'Double' } {
  return { value: ms, type: 'Double' };
}

function epochMs(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export class TableThrottleStore implements ThrottleStore {
  private readonly client: TableClient;
  private readonly createTable: ReturnType<typeof tableCreator> | null;

  constructor(client: TableClient, options: TableThrottleStoreOptions = {}) {
    this.client = client;
    this.createTable = (options.ensureTable ?? true) ? tableCreator(client) : null;
  }

  async read(scope: string, options: ThrottleStoreOptions = {}): Promise<ThrottledUntil> {
    const entity = await this.get(scope, options);
    if (entity === null) return NOT_THROTTLED;
    return { read: epochMs(entity.value.readUntil), write: epochMs(entity.value.writeUntil) };
  }

  async moveLater(scope: string, kind: RequestKind, until: number, options: ThrottleStoreOptions = {}): Promise<void> {
    const property = PROPERTY[kind];
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entity = await this.get(scope, options);
      try {
        if (entity === null) {
          await this.client.createEntity({ partitionKey: scope, rowKey: ROW_KEY, [property]: asDouble(until) }, { abortSignal: options.abortSignal });
        } else if (epochMs(entity.value[property]) >= until) {
          return;
        } else {
          await this.client.updateEntity({ partitionKey: scope, rowKey: ROW_KEY, [property]: asDouble(until) }, 'Merge', { etag: entity.etag, abortSignal: options.abortSignal });
        }
        return;
      } catch (e) {
        // 409: created meanwhile; 412: changed since read. Either way, read again and compare.
        const status = statusCodeOf(e);
        if (status !== 409 && status !== 412) throw e;
      }
    }
    throw new Error(`could not move the ${kind} throttle of ${scope} after ${MAX_ATTEMPTS} attempts: too many concurrent writers`);
  }

  private async get(scope: string, options: ThrottleStoreOptions): Promise<{ value: ThrottleEntity; etag: string } | null> {
    await this.ready(options);
    try {
      const e = await this.client.getEntity<ThrottleEntity>(scope, ROW_KEY, { abortSignal: options.abortSignal });
      return { value: e, etag: e.etag };
    } catch (err) {
      if (statusCodeOf(err) === 404) return null;
      throw err;
    }
  }

  private ready(options: ThrottleStoreOptions): Promise<void> {
    return this.createTable ? this.createTable(options.abortSignal) : Promise.resolve();
  }
}

/** A store over the table `tableName` (default `nrpThrottle`) of the account in `connectionString`. */
export function tableThrottleStoreFromConnectionString(
  connectionString: string,
  options: TableThrottleStoreOptions & { readonly tableName?: string; readonly clientOptions?: TableServiceClientOptions } = {},
): TableThrottleStore {
  return new TableThrottleStore(TableClient.fromConnectionString(connectionString, options.tableName ?? DEFAULT_THROTTLE_TABLE, options.clientOptions), options);
}
