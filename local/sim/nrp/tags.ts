// ARM's rules for resource tags, checked on every PUT as ARM does before the resource provider sees
// the request: at most 50, names of 1-512 characters without '<', '>', '%', '&', '\', '?' or '/',
// values of at most 256 characters. The codes are ARM's as documented; the messages are close.
import { badRequest } from './armError.ts';
import type { ArmError } from './armError.ts';

const MAX_TAGS = 50;
const MAX_NAME = 512;
const MAX_VALUE = 256;
const RESERVED = /[<>%&\\?/]|\p{Cc}/u;

/** The first rule `tags` breaks, or null. */
export function tagsError(tags: Readonly<Record<string, string>> | undefined): ArmError | null {
  if (tags === undefined) return null;
  const names = Object.keys(tags);
  if (names.length > MAX_TAGS) return badRequest('InvalidTagCount', `The number of tags (${names.length}) exceeds the limit of ${MAX_TAGS}.`);
  const reserved = names.filter((n) => RESERVED.test(n));
  if (reserved.length > 0) {
    return badRequest('InvalidTagNameCharacters', `The tag names '${reserved.join(',')}' have reserved characters '<,>,%,&,\\,?,/' or control characters.`);
  }
  const long = names.find((n) => n.length > MAX_NAME || n.length === 0);
  if (long !== undefined) return badRequest('InvalidTagNameLength', `The tag name '${long.slice(0, 32)}…' must be 1-${MAX_NAME} characters long.`);
  const value = names.find((n) => (tags[n] ?? '').length > MAX_VALUE);
  if (value !== undefined) return badRequest('InvalidTagValueLength', `The value of tag '${value}' exceeds ${MAX_VALUE} characters.`);
  return null;
}
