// JSON Pointer (RFC 6901) as JSON Patch (RFC 6902) uses it: "" is the whole document, every other
// pointer starts with "/", "~1" stands for "/" and "~0" for "~", and in an array the token "-"
// names the position after the last element.
import { unprocessable } from './patchFailure.ts';

/** The reference tokens of `pointer`; `op` only labels the error. */
export function parsePointer(pointer: string, op: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw unprocessable(`json patch ${op} operation has an invalid path ${JSON.stringify(pointer)}: a JSON pointer starts with "/"`);
  }
  return pointer.slice(1).split('/').map((token) => {
    if (/~(?![01])/.test(token)) {
      throw unprocessable(`json patch ${op} operation has an invalid path ${JSON.stringify(pointer)}: "~" must be followed by 0 or 1`);
    }
    // ~1 first: "~01" must decode to "~1", not "/".
    return token.replaceAll('~1', '/').replaceAll('~0', '~');
  });
}

/**
 * The array index a token names, or null when the token is not an index into an array of `length`.
 * `forInsert` allows the position just past the end ("-" or `length`), as `add` needs.
 */
export function arrayIndex(token: string, length: number, forInsert: boolean): number | null {
  if (token === '-') return forInsert ? length : null;
  // RFC 6901: decimal digits without leading zeros.
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return null;
  const index = Number(token);
  const limit = forInsert ? length : length - 1;
  return index <= limit ? index : null;
}
