// Table Storage bills every REST request as a transaction (an entity-group batch is one request).
// The state store and the throttle store each build their own TableClient, so the requests are
// counted where every one of them passes: Node's http client, for the Azurite endpoint only.
import { subscribe } from 'node:diagnostics_channel';
import { ClientRequest } from 'node:http';

export type TableRequestKind = 'batch' | 'query' | 'pointRead' | 'pointWrite' | 'table';

function kindOf(method: string, path: string): TableRequestKind {
  if (path.includes('/$batch')) return 'batch';
  if (/\/Tables\b/.test(path)) return 'table';
  const point = /\(PartitionKey=.*,RowKey=.*\)/.test(decodeURIComponent(path));
  if (method === 'GET') return point ? 'pointRead' : 'query';
  return 'pointWrite';
}

export class TableRequestCounter {
  private readonly host: string;
  private readonly counts = new Map<TableRequestKind, number>();

  /** Counts the requests this process sends to `endpoint` (e.g. `http://127.0.0.1:10002/devstoreaccount1`). */
  constructor(endpoint: string) {
    this.host = new URL(endpoint).host;
    subscribe('http.client.request.start', (message) => {
      const request = (message as { request?: unknown }).request;
      if (!(request instanceof ClientRequest) || request.getHeader('host') !== this.host) return;
      const kind = kindOf(request.method, request.path);
      this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    });
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

/** The TableEndpoint of an Azurite connection string. */
export function tableEndpointOf(connectionString: string): string {
  const m = /(?:^|;)TableEndpoint=([^;]+)/.exec(connectionString);
  if (!m?.[1]) throw new Error('the storage connection string has no TableEndpoint');
  return m[1];
}
