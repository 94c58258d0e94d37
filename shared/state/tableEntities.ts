// Table entities of the state: JSON split into string properties that fit Table Storage's limits,
// and the bookkeeping properties of the commit protocol (docs/adr/0004-state-in-table-storage.md).
import type { TableEntity, TableEntityResult } from '@azure/data-tables';
import { STATE_SCHEMA_VERSION, StateCorruptError } from './stateCodec.ts';

/** A string property holds 64 KiB, i.e. 32,768 UTF-16 code units: chunks stay well below. */
export const CHUNK_CHARS = 30_000;

export type Entity = TableEntity<Record<string, unknown>>;
export type StoredEntity = TableEntityResult<Record<string, unknown>>;

/** How a row's undo copy is stored: none (written with its commit), absent, or a value. */
export type UndoKind = 'none' | 'absent' | 'value';

/** Split `s` into chunks of at most `CHUNK_CHARS` code units, never inside a surrogate pair. */
export function toChunks(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    let end = Math.min(s.length, i + CHUNK_CHARS);
    const last = s.charCodeAt(end - 1);
    if (end < s.length && last >= 0xd800 && last <= 0xdbff) end--;
    out.push(s.slice(i, end));
    i = end;
  }
  return out;
}

/** Properties `<prefix>n` (the count) and `<prefix>0..` holding `json`. */
export function chunkProps(prefix: 'd' | 'u', json: string): Record<string, string | number> {
  const chunks = toChunks(json);
  const props: Record<string, string | number> = { [`${prefix}n`]: chunks.length };
  chunks.forEach((c, i) => (props[`${prefix}${i}`] = c));
  return props;
}

export function stringProp(e: StoredEntity, name: string): string {
  const v = e[name];
  if (typeof v !== 'string') throw new StateCorruptError(`row ${e.rowKey ?? '?'}: property ${name} is not a string`);
  return v;
}

export function numberProp(e: StoredEntity, name: string): number {
  const v = e[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new StateCorruptError(`row ${e.rowKey ?? '?'}: property ${name} is not a number`);
  return v;
}

export function booleanProp(e: StoredEntity, name: string): boolean {
  const v = e[name];
  if (typeof v !== 'boolean') throw new StateCorruptError(`row ${e.rowKey ?? '?'}: property ${name} is not a boolean`);
  return v;
}

/** The JSON stored by `chunkProps(prefix, …)`. */
export function joinChunks(e: StoredEntity, prefix: 'd' | 'u'): string {
  const n = numberProp(e, `${prefix}n`);
  let json = '';
  for (let i = 0; i < n; i++) json += stringProp(e, `${prefix}${i}`);
  return json;
}

export function checkSchemaVersion(e: StoredEntity): void {
  const v = e['schemaVersion'];
  if (v !== STATE_SCHEMA_VERSION) {
    throw new StateCorruptError(`row ${e.rowKey ?? '?'} has schema version ${JSON.stringify(v)}; this code reads version ${STATE_SCHEMA_VERSION}`);
  }
}

/** A state row as read: `value` is null for a soft-deleted row, `undo` null when absent. */
export interface StoredRow {
  readonly gen: number;
  readonly writer: string;
  readonly value: string | null;
  readonly undo: UndoKind;
  readonly undoValue: string | null;
}

export function readRow(e: StoredEntity): StoredRow {
  checkSchemaVersion(e);
  const deleted = booleanProp(e, 'deleted');
  const undo = stringProp(e, 'undo');
  if (undo !== 'none' && undo !== 'absent' && undo !== 'value') throw new StateCorruptError(`row ${e.rowKey ?? '?'}: undo is ${undo}`);
  return {
    gen: numberProp(e, 'gen'),
    writer: stringProp(e, 'writer'),
    value: deleted ? null : joinChunks(e, 'd'),
    undo,
    undoValue: undo === 'value' ? joinChunks(e, 'u') : null,
  };
}

export interface StoredMeta {
  readonly generation: number;
  readonly writer: string;
  readonly json: string;
  readonly etag: string;
}

export function readMeta(e: StoredEntity): StoredMeta {
  checkSchemaVersion(e);
  return { generation: numberProp(e, 'generation'), writer: stringProp(e, 'writer'), json: joinChunks(e, 'd'), etag: e.etag };
}

export interface RowWrite {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly gen: number;
  readonly writer: string;
  /** Null writes a soft-deleted row. */
  readonly value: string | null;
  /** 'none' only in the committing transaction; otherwise the value the row had when loaded. */
  readonly undo: { readonly kind: 'none' } | { readonly kind: 'absent' } | { readonly kind: 'value'; readonly json: string };
}

export function rowEntity(w: RowWrite): Entity {
  return {
    partitionKey: w.partitionKey,
    rowKey: w.rowKey,
    schemaVersion: STATE_SCHEMA_VERSION,
    gen: w.gen,
    writer: w.writer,
    deleted: w.value === null,
    undo: w.undo.kind,
    ...(w.value === null ? {} : chunkProps('d', w.value)),
    ...(w.undo.kind === 'value' ? chunkProps('u', w.undo.json) : {}),
  };
}

export function metaEntity(partitionKey: string, m: { generation: number; writer: string; pending: string; fence: string; json: string }): Entity {
  return {
    partitionKey,
    rowKey: 'meta',
    schemaVersion: STATE_SCHEMA_VERSION,
    generation: m.generation,
    writer: m.writer,
    pending: m.pending,
    fence: m.fence,
    ...chunkProps('d', m.json),
  };
}

/** Bytes a JSON string adds to a transaction's body (UTF-8, escaped), plus property names. */
export function payloadBytes(json: string | null): number {
  if (json === null) return 0;
  return Buffer.byteLength(JSON.stringify(json), 'utf8') + 16 * Math.ceil(json.length / CHUNK_CHARS);
}
