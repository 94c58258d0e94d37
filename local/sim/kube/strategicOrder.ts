// Element order after a strategic list merge, as apimachinery's normalizeElementOrder does it:
// the merged elements split into those the patch (or its $setElementOrder list) names and the
// server-only rest; each part is sorted by its own reference order and the two are interleaved by
// their positions in the live list. A new element (not in the live list) wins every tie, so
// without $setElementOrder an added element lands *before* the existing ones: patching
// finalizers ["x"] with ["a"] gives ["a", "x"], exactly as the real API server does.
import { badPatch } from './patchFailure.ts';
import { hasPatchDirective } from './strategicDirectives.ts';

/** The identity of an element: its merge key value, or the element itself for primitives. */
export type KeyOf = (item: unknown) => unknown;

export function orderMerged(
  merged: readonly unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  keyOf: KeyOf,
): unknown[] {
  const named = new Set(patchOrder.map(keyOf));
  const patchItems = sortedBy(merged.filter((item) => named.has(keyOf(item))), patchOrder, keyOf);
  const serverOnly = sortedBy(merged.filter((item) => !named.has(keyOf(item))), serverOrder, keyOf);
  return interleave(serverOnly, patchItems, serverOrder, keyOf);
}

/**
 * validatePatchWithSetOrderList: the patch list's elements (deletions aside) must appear in the
 * $setElementOrder list, in the same relative order.
 */
export function checkPatchFollowsOrder(patchList: readonly unknown[], order: readonly unknown[], keyOf: KeyOf, field: string): void {
  const items = patchList.filter((item) => !hasPatchDirective(item));
  let p = 0;
  for (let s = 0; p < items.length && s < order.length; s += 1) {
    if (keyOf(items[p]) === keyOf(order[s])) p += 1;
  }
  if (p < items.length) {
    throw badPatch(`the order of ${field} in the patch does not match its $setElementOrder list`);
  }
}

function indexIn(list: readonly unknown[], item: unknown, keyOf: KeyOf): number {
  const key = keyOf(item);
  return list.findIndex((candidate) => keyOf(candidate) === key);
}

function sortedBy(items: unknown[], order: readonly unknown[], keyOf: KeyOf): unknown[] {
  const rank = (item: unknown): number => {
    const index = indexIn(order, item, keyOf);
    return index < 0 ? order.length : index;
  };
  // Array.prototype.sort is stable, like the sort.SliceStable it mirrors.
  return items.sort((a, b) => rank(a) - rank(b));
}

/** mergeSortedSlice: a server-only element goes first only when both are live and it is earlier. */
function interleave(serverOnly: readonly unknown[], patchItems: readonly unknown[], serverOrder: readonly unknown[], keyOf: KeyOf): unknown[] {
  const result: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (i >= serverOnly.length) {
      result.push(patchItems[j++]);
    } else if (j >= patchItems.length) {
      result.push(serverOnly[i++]);
    } else {
      const left = indexIn(serverOrder, serverOnly[i], keyOf);
      const right = indexIn(serverOrder, patchItems[j], keyOf);
      result.push(left >= 0 && right >= 0 && left < right ? serverOnly[i++] : patchItems[j++]);
    }
  }
  return result;
}
