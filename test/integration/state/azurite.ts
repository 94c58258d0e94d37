// Azurite's Table service started inside the test process (tooling-facts §4): in memory, on an
// ephemeral port. And a TableClient that counts its transactions and can crash or pause on cue.
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import type { ListTableEntitiesOptions, TableEntityResult, TableEntityResultPage, TableServiceClientOptions, TableTransactionResponse, TransactionAction } from '@azure/data-tables';
import type { PagedAsyncIterableIterator } from '@azure/core-paging';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzuriteTables } from '../../../local/host/azurite.ts';

const ACCOUNT = AZURITE_ACCOUNT;
const KEY = AZURITE_KEY;

export interface Azurite {
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  readonly endpoint: string;
  client(tableName: string): InstrumentedTableClient;
  stop(): Promise<void>;
}

export async function startAzurite(): Promise<Azurite> {
  const tables = await startAzuriteTables();
  const endpoint = tables.endpoint;
  return {
    endpoint,
    client: (tableName) => new InstrumentedTableClient(endpoint, tableName, { allowInsecureConnection: true }),
    stop: () => tables.stop(),
  };
}

/**
 * A TableClient that counts transactions and the row operations in them (meta excluded), and can
 * fail a given transaction (a crash before it is sent) or wait before sending one.
 */
export class InstrumentedTableClient extends TableClient {
  transactions = 0;
  rowOperations: string[] = [];
  /** Row operations of each transaction sent. */
  perTransaction: number[] = [];
  /** Throw instead of sending the transaction with this (0-based) index; later ones go through. */
  crashAt: number | null = null;
  /** Awaited before each transaction is sent, with its index. */
  beforeTransaction: ((index: number) => Promise<void>) | null = null;
  /** Entity listings started (a state load reads its partition with one). */
  listings = 0;

  constructor(endpoint: string, tableName: string, options: TableServiceClientOptions) {
    super(endpoint, tableName, new AzureNamedKeyCredential(ACCOUNT, KEY), options);
  }

  override async submitTransaction(actions: TransactionAction[], options?: Parameters<TableClient['submitTransaction']>[1]): Promise<TableTransactionResponse> {
    const index = this.transactions++;
    if (this.beforeTransaction) await this.beforeTransaction(index);
    if (this.crashAt === index) throw new Error(`injected crash before transaction ${index}`);
    const rows = actions.filter(([, entity]) => entity.rowKey !== 'meta').map(([, entity]) => entity.rowKey);
    this.rowOperations.push(...rows);
    this.perTransaction.push(rows.length);
    return super.submitTransaction(actions, options);
  }

  override listEntities<T extends object = Record<string, unknown>>(options?: ListTableEntitiesOptions): PagedAsyncIterableIterator<TableEntityResult<T>, TableEntityResultPage<T>> {
    this.listings++;
    return super.listEntities<T>(options);
  }

  /** Counters since the last call. */
  take(): { transactions: number; rows: string[]; perTransaction: number[] } {
    const out = { transactions: this.transactions, rows: this.rowOperations, perTransaction: this.perTransaction };
    this.transactions = 0;
    this.rowOperations = [];
    this.perTransaction = [];
    return out;
  }
}
