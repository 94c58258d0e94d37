// Strategic merge patch, as `kubectl patch` (its default type) and client-side `kubectl apply`
// send it and the API server applies it (apimachinery's mergeMap with MergeParallelList and
// IgnoreUnmatchedNulls): maps merge recursively, `null` deletes, lists follow their field's
// strategy (strategicList.ts), and the directives are honoured and dropped.
//
// Where the real code copies a patch value verbatim into the result (a field the object lacks),
// this merges it onto an empty value instead, so directives and nulls nested in new values never
// leak into the stored object.
import { childPath, describePath } from './mergeKeys.ts';
import type { FieldPath } from './mergeKeys.ts';
import { badPatch } from './patchFailure.ts';
import { cloneObject, getOwn, hasOwn, isJsonObject, setOwn, show } from './patchJson.ts';
import type { JsonObject } from './patchJson.ts';
import {
  DELETE_FROM_PRIMITIVE_LIST, PATCH_DIRECTIVE, RETAIN_KEYS, SET_ELEMENT_ORDER, isDirectiveKey,
} from './strategicDirectives.ts';
import { deleteFromList, mergeList, mergeListInOrder } from './strategicList.ts';

export function applyStrategicMerge(kind: string, target: JsonObject, patch: unknown): JsonObject {
  if (!isJsonObject(patch)) throw badPatch('strategic merge patch must be a JSON object');
  return mergeMap(cloneObject(target), patch, { kind, path: '' });
}

/** `original` is our own copy and is edited in place; `patch` is only read. */
function mergeMap(original: JsonObject, patch: JsonObject, at: FieldPath): JsonObject {
  if (hasOwn(patch, PATCH_DIRECTIVE)) return mapDirective(patch, at);
  retainKeys(original, patch, at);

  // $setElementOrder first: it merges its list itself, so the plain pass below skips that field.
  const ordered = new Set<string>();
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const field = fieldOf(key, SET_ELEMENT_ORDER, at);
    const list = mergeListInOrder(getOwn(original, field), getOwn(patch, field), order, childPath(at, field), mergeMap);
    if (list !== undefined) setOwn(original, field, list);
    ordered.add(field);
  }

  for (const [key, value] of Object.entries(patch)) {
    if (!isDirectiveKey(key) && !ordered.has(key)) mergeField(original, key, value, childPath(at, key));
  }

  // Deletions last, so a value both merged in and deleted ends up deleted.
  for (const [key, values] of Object.entries(patch)) {
    if (!key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    const field = fieldOf(key, DELETE_FROM_PRIMITIVE_LIST, at);
    const fieldAt = childPath(at, field);
    const current = getOwn(original, field);
    const kept = deleteFromList(current, values, fieldAt);
    if (current !== undefined) setOwn(original, field, kept);
  }
  return original;
}

function mergeField(original: JsonObject, key: string, value: unknown, at: FieldPath): void {
  if (value === null) {
    delete original[key];
    return;
  }
  const live = getOwn(original, key);
  if (isJsonObject(live) && isJsonObject(value)) {
    setOwn(original, key, mergeMap(live, value, at));
  } else if (Array.isArray(live) && Array.isArray(value)) {
    setOwn(original, key, mergeList(live, value, at, mergeMap));
  } else {
    // Absent, or a different type: the patch value replaces it.
    setOwn(original, key, fresh(value, at));
  }
}

/** A patch value with nothing to merge into. */
function fresh(value: unknown, at: FieldPath): unknown {
  if (isJsonObject(value)) return mergeMap({}, value, at);
  if (Array.isArray(value)) return mergeList([], value, at, mergeMap);
  return value;
}

/**
 * `$patch` on a map: `replace` makes the rest of the patch the whole map; `delete` empties it
 * (the real server leaves `{}` behind rather than removing the key).
 */
function mapDirective(patch: JsonObject, at: FieldPath): JsonObject {
  const directive = patch[PATCH_DIRECTIVE];
  if (directive === 'delete') return {};
  if (directive !== 'replace') throw badPatch(`unknown $patch directive ${show(directive)} at ${describePath(at)}`);
  const rest: JsonObject = {};
  for (const [key, value] of Object.entries(patch)) {
    if (key !== PATCH_DIRECTIVE) setOwn(rest, key, value);
  }
  return mergeMap({}, rest, at);
}

/**
 * `$retainKeys`: the map keeps only the listed keys. Every key the patch sets must be listed,
 * otherwise the patch contradicts itself (400, as the real server answers).
 */
function retainKeys(original: JsonObject, patch: JsonObject, at: FieldPath): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const keep = patch[RETAIN_KEYS];
  if (!Array.isArray(keep)) throw badPatch(`$retainKeys at ${describePath(at)} must be a list of keys, not ${show(keep)}`);
  for (const [key, value] of Object.entries(patch)) {
    if (value !== null && !isDirectiveKey(key) && !keep.includes(key)) {
      throw badPatch(`$retainKeys at ${describePath(at)} does not list ${JSON.stringify(key)}, which the patch sets`);
    }
  }
  for (const key of Object.keys(original)) {
    if (!keep.includes(key)) delete original[key];
  }
}

function fieldOf(key: string, prefix: string, at: FieldPath): string {
  const field = key.slice(prefix.length);
  if (field === '') throw badPatch(`${JSON.stringify(key)} at ${describePath(at)} names no field`);
  return field;
}
