// meta.k8s.io Table output (what `kubectl get` asks for with `Accept: …;as=Table`), for one
// object, a list page or a watch event.
import { columnsOf } from './columns.ts';
import { record } from './json.ts';
import type { ResourceInfo } from './resources.ts';
import type { KubeObject } from './types.ts';

export type TableVersion = 'v1' | 'v1beta1';
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  readonly version: TableVersion;
  readonly includeObject: IncludeObject;
  /** Milliseconds since the epoch, for the Age column. */
  readonly now: number;
}

export interface TableListMeta {
  readonly resourceVersion: string;
  readonly continueToken?: string | undefined;
  readonly remainingItemCount?: number | undefined;
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24) % 365;
    return days === 0 ? `${Math.trunc(hours / 24 / 365)}y` : `${Math.trunc(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

function rowObject(r: ResourceInfo, obj: KubeObject, opts: TableOptions): KubeObject | undefined {
  switch (opts.includeObject) {
    case 'None': return undefined;
    case 'Object': return { ...obj, apiVersion: r.apiVersion, kind: r.kind };
    case 'Metadata': return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${opts.version}`, metadata: record(obj['metadata']) };
  }
  return undefined;
}

export function toTable(r: ResourceInfo, objects: readonly KubeObject[], listMeta: TableListMeta, opts: TableOptions): KubeObject {
  const columns = columnsOf(r.kind);
  const age = (iso: string): string => {
    const t = Date.parse(iso);
    return Number.isNaN(t) ? '<unknown>' : humanDuration(opts.now - t);
  };
  const metadata: Record<string, unknown> = { resourceVersion: listMeta.resourceVersion };
  if (listMeta.continueToken !== undefined) metadata['continue'] = listMeta.continueToken;
  if (listMeta.remainingItemCount !== undefined) metadata['remainingItemCount'] = listMeta.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata,
    columnDefinitions: columns.definitions,
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: columns.cells(o, age) };
      const embedded = rowObject(r, o, opts);
      if (embedded) row['object'] = embedded;
      return row;
    }),
  };
}
