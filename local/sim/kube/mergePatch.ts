// JSON Merge Patch (RFC 7386): objects merge member by member, `null` removes a member, and
// anything else (arrays included) replaces the target value whole.
import { badPatch } from './patchFailure.ts';
import { cloneJson, cloneObject, getOwn, isJsonObject, setOwn } from './patchJson.ts';
import type { JsonObject } from './patchJson.ts';

export function applyMergePatch(target: JsonObject, patch: unknown): JsonObject {
  // RFC 7386 would let a non-object patch replace the document; the API server refuses it
  // because the result could not be an object.
  if (!isJsonObject(patch)) throw badPatch('merge patch must be a JSON object');
  return mergeValue(cloneObject(target), patch) as JsonObject;
}

/** The RFC's MergePatch(Target, Patch). `target` is our own copy and is edited in place. */
function mergeValue(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result: JsonObject = isJsonObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      setOwn(result, key, mergeValue(getOwn(result, key), value));
    }
  }
  return result;
}
