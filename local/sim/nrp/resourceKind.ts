// What the generic ARM PUT/GET/DELETE/list handling needs to know about one resource type.
import type { ResourceType } from './ids.ts';
import type { NrpStore, Tracked } from './store.ts';

export interface ResourceKind<T extends Tracked> {
  readonly type: ResourceType;
  /** Holds the resources of this type, keyed by lower-cased name. */
  map(store: NrpStore): Map<string, T>;
  /** Validates a PUT body and builds the new record (etag and busyUntil are set by the caller). Throws ArmError. */
  build(store: NrpStore, name: string, body: unknown, existing: T | undefined): T;
  /** How long the write runs (its async operation stays InProgress meanwhile). */
  durationMs(store: NrpStore, created: boolean): number;
  /** The resource JSON as GET returns it. */
  render(store: NrpStore, r: T): unknown;
  /** Throws ArmError when the resource may not be deleted now. */
  checkDelete(store: NrpStore, r: T): void;
  /** Releases what the resource held (e.g. its IP address). */
  onDeleted(store: NrpStore, r: T): void;
}
