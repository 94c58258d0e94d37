// Pages of a list in one total order, resumed after the last key a page gave: an item added or
// removed between two pages moves no other item to another page, so none is served twice or
// skipped unless it was itself added or removed.

export interface Keyed<T> {
  /** Unique within its list; the list is sorted by it (code-unit order). */
  readonly key: string;
  readonly item: T;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** The key to resume after; null when this page reached the end. */
  readonly lastKey: string | null;
}

export function byKey<T>(entries: Iterable<Keyed<T>>): Keyed<T>[] {
  return [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** At most `limit` items after `after` (from the start when null). */
export function pageAfter<T>(sorted: readonly Keyed<T>[], after: string | null, limit: number): Page<T> {
  const start = after === null ? 0 : firstAfter(sorted, after);
  const slice = sorted.slice(start, start + limit);
  const end = start + slice.length >= sorted.length;
  return { items: slice.map((e) => e.item), lastKey: end || slice.length === 0 ? null : (slice[slice.length - 1]?.key ?? null) };
}

/** Binary search: the index of the first key greater than `after`. */
function firstAfter<T>(sorted: readonly Keyed<T>[], after: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid]?.key ?? '') <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
