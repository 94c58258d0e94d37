// Strategic merge of one list field, following the field's patch strategy (mergeKeys.ts):
// atomic lists are replaced, primitive merge lists become an ordered union, and lists of maps
// merge element by element on their merge key, with `{"$patch": "delete", <key>: v}` removing an
// element and `{"$patch": "replace"}` making the rest of the patch list the whole list.
// Mirrors apimachinery's mergeSlice / mergePatchIntoOriginal; the order rules are in
// strategicOrder.ts.
import { describePath, elementPath, listStrategy } from './mergeKeys.ts';
import type { FieldPath, ListStrategy } from './mergeKeys.ts';
import { badPatch, unprocessable } from './patchFailure.ts';
import { getOwn, hasOwn, isJsonObject, show } from './patchJson.ts';
import type { JsonObject } from './patchJson.ts';
import { PATCH_DIRECTIVE, withoutDirectives } from './strategicDirectives.ts';
import { checkPatchFollowsOrder, orderMerged } from './strategicOrder.ts';
import type { KeyOf } from './strategicOrder.ts';

/** Strategic merge of a map; strategicMerge.ts passes it in (the two recurse into each other). */
export type MergeMap = (original: JsonObject, patch: JsonObject, at: FieldPath) => JsonObject;

/** `original` is the caller's own copy: its elements are reused and may be edited. */
export function mergeList(original: unknown[], patch: readonly unknown[], at: FieldPath, mergeMap: MergeMap): unknown[] {
  const strategy = listStrategy(at.kind, at.path);
  switch (strategy.type) {
    case 'replace':
      return patch.map(withoutDirectives);
    case 'mergePrimitives':
      return mergePrimitives(original, patch, at);
    case 'mergeByKey':
      return mergeByKey(original, patch, strategy.key, at, mergeMap);
  }
}

/**
 * `$setElementOrder/<field>`: merges the field's list when the patch has one, then puts the
 * elements in the listed order. Undefined when neither the object nor the patch has the list.
 */
export function mergeListInOrder(original: unknown, patch: unknown, order: unknown, at: FieldPath, mergeMap: MergeMap): unknown[] | undefined {
  const field = describePath(at);
  if (!Array.isArray(order)) throw badPatch(`$setElementOrder for ${field} must be a list, not ${show(order)}`);
  const live = original === undefined || original === null ? undefined : original;
  if (live !== undefined && !Array.isArray(live)) throw unprocessable(`${field} is not a list in the object`);
  if (patch !== undefined && !Array.isArray(patch)) throw badPatch(`${field} must be a list next to its $setElementOrder, not ${show(patch)}`);
  const strategy = listStrategy(at.kind, at.path);
  const keyOf = keyOfStrategy(strategy);
  if (strategy.type === 'mergeByKey') {
    for (const entry of order) {
      if (!isJsonObject(entry) || !hasOwn(entry, strategy.key)) {
        throw badPatch(`$setElementOrder for ${field} lists ${show(entry)}, which has no merge key "${strategy.key}"`);
      }
    }
  }
  checkPatchFollowsOrder(patch ?? [], order, keyOf, field);
  if (live === undefined && patch === undefined) return undefined;
  const merged = patch === undefined ? (live as unknown[]) : mergeList(live ?? [], patch, at, mergeMap);
  return orderMerged(merged, order, live ?? [], keyOf);
}

/** `$deleteFromPrimitiveList/<field>`: drops the listed values; anything but a live list is left alone. */
export function deleteFromList(current: unknown, toDelete: unknown, at: FieldPath): unknown {
  if (!Array.isArray(toDelete)) {
    throw badPatch(`$deleteFromPrimitiveList for ${describePath(at)} must be a list, not ${show(toDelete)}`);
  }
  if (!Array.isArray(current)) return current;
  return current.filter((item) => !toDelete.some((value) => value === item));
}

function keyOfStrategy(strategy: ListStrategy): KeyOf {
  if (strategy.type !== 'mergeByKey') return (item) => item;
  const { key } = strategy;
  return (item) => (isJsonObject(item) ? getOwn(item, key) : undefined);
}

function mergePrimitives(original: readonly unknown[], patch: readonly unknown[], at: FieldPath): unknown[] {
  for (const item of patch) {
    if (typeof item === 'object' && item !== null) {
      throw badPatch(`${describePath(at)} is a list of primitive values; the patch holds ${show(item)}`);
    }
  }
  const merged: unknown[] = [];
  for (const item of [...original, ...patch]) {
    if (!merged.includes(item)) merged.push(item);
  }
  return orderMerged(merged, patch, original, (item) => item);
}

function mergeByKey(original: unknown[], patch: readonly unknown[], key: string, at: FieldPath, mergeMap: MergeMap): unknown[] {
  const field = describePath(at);
  const elementAt = elementPath(at);
  for (const item of original) {
    if (!isJsonObject(item)) throw unprocessable(`${field} in the object holds ${show(item)}, which is not an object`);
  }
  let live = original as JsonObject[];
  let replace = false;
  const items: JsonObject[] = [];
  for (const item of patch) {
    if (!isJsonObject(item)) throw badPatch(`${field} merges objects on "${key}"; the patch holds ${show(item)}`);
    if (!hasOwn(item, PATCH_DIRECTIVE)) {
      items.push(item);
      continue;
    }
    const directive = item[PATCH_DIRECTIVE];
    if (directive === 'delete') {
      if (!hasOwn(item, key)) throw badPatch(`$patch: delete in ${field} needs the merge key "${key}": ${show(item)}`);
      live = live.filter((element) => !(hasOwn(element, key) && element[key] === item[key]));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw badPatch(`$patch: merge in ${field}: merging lists cannot yet be specified in the patch`);
    } else {
      throw badPatch(`unknown $patch directive ${show(directive)} in ${field}`);
    }
  }
  if (replace) return items.map((item) => mergeMap({}, item, elementAt));

  const merged: JsonObject[] = [...live];
  for (const item of items) {
    if (!hasOwn(item, key)) throw badPatch(`an element of ${field} has no merge key "${key}": ${show(item)}`);
    const index = merged.findIndex((element) => hasOwn(element, key) && element[key] === item[key]);
    if (index >= 0) {
      merged[index] = mergeMap(merged[index] as JsonObject, item, elementAt);
    } else {
      merged.push(mergeMap({}, item, elementAt));
    }
  }
  return orderMerged(merged, items, live, keyOfStrategy({ type: 'mergeByKey', key }));
}
