// Azurite's Table service started inside the test process (tooling-facts §4): in memory, on an
// ephemeral port. And a TableClient that counts its transactions and can crash or pause on cue.
import { createRequire } from 'node:module';
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import type { TableServiceClientOptions, TableTransactionResponse, TransactionAction } from '@azure/data-tables';

const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

interface TableServer {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
}

type Constructor = new (...args: unknown[]) => unknown;

/** The default export of one of Azurite's internal modules (its main entry is the VS Code extension). */
function azuriteClass(path: string): Constructor {
  const require = createRequire(import.meta.url);
  const mod: unknown = require(path);
  if (typeof mod === 'object' && mod !== null && 'default' in mod && typeof mod.default === 'function') return mod.default as Constructor;
  throw new Error(`${path} has no default export`);
}

function isTableServer(x: unknown): x is TableServer {
  return typeof x === 'object' && x !== null && 'start' in x && 'close' in x && 'getHttpServerAddress' in x;
}

export interface Azurite {
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  readonly endpoint: string;
  client(tableName: string): InstrumentedTableClient;
  stop(): Promise<void>;
}

export async function startAzurite(): Promise<Azurite> {
  const TableServerClass = azuriteClass('azurite/dist/src/table/TableServer');
  const TableConfiguration = azuriteClass('azurite/dist/src/table/TableConfiguration');
  // (host, port, keepAlive, dbPath, debugLog, accessLog, accessStream, debugPath, loose,
  //  skipApiVersionCheck, cert, key, pwd, oauth, disableProductStyleUrl, inMemoryPersistence)
  const config = new TableConfiguration('127.0.0.1', 0, 5, 'unused.json', false, false, undefined, undefined, false, true, '', '', '', undefined, false, true);
  const server = new TableServerClass(config);
  if (!isTableServer(server)) throw new Error('Azurite TableServer has an unexpected shape');
  await server.start();
  const endpoint = `${server.getHttpServerAddress()}/${ACCOUNT}`;
  return {
    endpoint,
    client: (tableName) => new InstrumentedTableClient(endpoint, tableName, { allowInsecureConnection: true }),
    stop: () => server.close(),
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

  /** Counters since the last call. */
  take(): { transactions: number; rows: string[]; perTransaction: number[] } {
    const out = { transactions: this.transactions, rows: this.rowOperations, perTransaction: this.perTransaction };
    this.transactions = 0;
    this.rowOperations = [];
    this.perTransaction = [];
    return out;
  }
}
