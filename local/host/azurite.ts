// Azurite's Table service inside this process (in memory, ephemeral port): the state store and the
// throttle store of the local pipeline, and of the tests.
import { createRequire } from 'node:module';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

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

export interface AzuriteTables {
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  readonly endpoint: string;
  /** A connection string for TableClient.fromConnectionString. */
  readonly connectionString: string;
  stop(): Promise<void>;
}

export async function startAzuriteTables(): Promise<AzuriteTables> {
  const TableServerClass = azuriteClass('azurite/dist/src/table/TableServer');
  const TableConfiguration = azuriteClass('azurite/dist/src/table/TableConfiguration');
  // (host, port, keepAlive, dbPath, debugLog, accessLog, accessStream, debugPath, loose,
  //  skipApiVersionCheck, cert, key, pwd, oauth, disableProductStyleUrl, inMemoryPersistence)
  const config = new TableConfiguration('127.0.0.1', 0, 5, 'unused.json', false, false, undefined, undefined, false, true, '', '', '', undefined, false, true);
  const server = new TableServerClass(config);
  if (!isTableServer(server)) throw new Error('Azurite TableServer has an unexpected shape');
  await server.start();
  const endpoint = `${server.getHttpServerAddress()}/${AZURITE_ACCOUNT}`;
  return {
    endpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=${endpoint};`,
    stop: () => server.close(),
  };
}
