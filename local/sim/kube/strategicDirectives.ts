// The directive keys of strategic merge patch. They steer the merge and never reach the result.
import { isJsonObject, setOwn } from './patchJson.ts';

/** `$patch: replace | delete` on a map or on a list element (`merge` is reserved and refused). */
export const PATCH_DIRECTIVE = '$patch';
/** `$retainKeys: [..]`: the map keeps only these keys (then the patch merges as usual). */
export const RETAIN_KEYS = '$retainKeys';
/** `$setElementOrder/<field>: [..]`: the final order of the merged list. */
export const SET_ELEMENT_ORDER = '$setElementOrder/';
/** `$deleteFromPrimitiveList/<field>: [..]`: values to drop from a merged primitive list. */
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

export function isDirectiveKey(key: string): boolean {
  return key === PATCH_DIRECTIVE || key === RETAIN_KEYS ||
    key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST);
}

export function hasPatchDirective(value: unknown): boolean {
  return isJsonObject(value) && Object.hasOwn(value, PATCH_DIRECTIVE);
}

/**
 * A copy of a patch value taken whole (an atomic list): directive keys and null members dropped,
 * which is what decoding the API server's result into the typed object amounts to.
 */
export function withoutDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDirectives);
  if (!isJsonObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member !== null && !isDirectiveKey(key)) setOwn(copy, key, withoutDirectives(member));
  }
  return copy;
}
