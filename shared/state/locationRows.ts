// An NRP location's rows (docs/adr/0015-location-rows-in-parts.md). A location whose JSON fits a
// row is one row, as it always was. A larger one (a node with many addresses, each in many
// Services) is cut by addresses into parts that each fit: part 0 keeps the location's row key,
// part n is keyed `<that key>|<n>`. The cut is a function of the content only, so an unchanged
// location gives the same rows, and it is content-defined: whether a part ends after an address
// depends on that address alone (a hash of it, weighed by its size), so a changed address rewrites
// the part that holds it and, as a rule, no other. (Part numbers follow the cuts: an edit that adds
// or removes a cut renumbers the parts after it: one or two edits in a hundred.)
import type { NrpLocation } from '../engine/types.ts';
import { StateCorruptError, decodeLocationHead, decodeLocationPart, encodeLocationHead, encodeLocationPart, sortedAddresses } from './stateCodec.ts';
import type { StoredAddress } from './stateCodec.ts';

/** Characters a part's JSON adds around its addresses (`{"addresses":[…],"certain":false,"parts":N}`). */
const PART_OVERHEAD = 64;
/** Parts average a third of the limit: rarely forced to end early, not many rows. */
const TARGET_SHARE = 3;

/** FNV-1a of the address, mixed (murmur3's finaliser) so that every bit counts. */
function cutHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The addresses of each part. Each address has a score, its hash as a fraction weighed by its share
 * of the target size; a part ends after an address scoring below 1, which happens about once per
 * target size and depends on that address alone. A part that would outgrow the limit first ends
 * after its lowest-scoring address instead (the most natural cut it has), and the rest moves on:
 * that choice depends only on the part's content, so even then an edit seldom moves a cut.
 */
function cut(addresses: readonly StoredAddress[], maxChars: number): StoredAddress[][] {
  const budget = maxChars - PART_OVERHEAD;
  const target = maxChars / TARGET_SHARE;
  const parts: StoredAddress[][] = [];
  let current: { readonly address: StoredAddress; readonly size: number; readonly score: number }[] = [];
  let chars = 0;
  const end = (upTo: number): void => {
    parts.push(current.slice(0, upTo).map((e) => e.address));
    current = current.slice(upTo);
    chars = current.reduce((n, e) => n + e.size, 0);
  };
  for (const address of addresses) {
    const size = JSON.stringify(address).length + 1;
    const score = (cutHash(address[0]) / 0x1_0000_0000) * (target / size);
    while (current.length > 0 && chars + size > budget) {
      let best = 0;
      for (let i = 1; i < current.length; i++) if (current[i]!.score < current[best]!.score) best = i;
      end(best + 1);
    }
    current.push({ address, size, score });
    chars += size;
    if (score < 1) end(current.length);
  }
  if (current.length > 0 || parts.length === 0) end(current.length);
  return parts;
}

/**
 * The JSON of each row of a location, part 0 first. Each part fits `maxChars` unless one address
 * alone does not (an address in some 6,000 Services), which the store then refuses as too large.
 */
export function locationPartsJson(location: NrpLocation, maxChars: number): string[] {
  const addresses = sortedAddresses(location);
  const whole = encodeLocationHead(addresses, location.certain, 1);
  if (whole.length <= maxChars) return [whole];
  const parts = cut(addresses, maxChars);
  return parts.map((p, i) => (i === 0 ? encodeLocationHead(p, location.certain, parts.length) : encodeLocationPart(p)));
}

/** A location from its stored parts by part number. A missing, extra or misplaced part is corruption. */
export function locationFromParts(parts: ReadonlyMap<number, { readonly rowKey: string; readonly json: string }>, what: string): NrpLocation {
  const head = parts.get(0);
  if (!head) throw new StateCorruptError(`${what}: part 0 is missing (rows ${[...parts.values()].map((p) => p.rowKey).join(', ')})`);
  const first = decodeLocationHead(head.json, `row ${head.rowKey}`);
  for (const [n, p] of parts) if (n >= first.parts) throw new StateCorruptError(`row ${p.rowKey}: ${what} has ${first.parts} part(s), not part ${n}`);
  const addresses = new Map<string, readonly string[]>(first.addresses);
  let last = first.addresses[first.addresses.length - 1]?.[0];
  for (let n = 1; n < first.parts; n++) {
    const p = parts.get(n);
    if (!p) throw new StateCorruptError(`${what}: part ${n} of ${first.parts} is missing`);
    const more = decodeLocationPart(p.json, `row ${p.rowKey}`);
    const next = more[0]?.[0];
    if (next === undefined || (last !== undefined && next <= last)) throw new StateCorruptError(`row ${p.rowKey}: its addresses do not follow those of part ${n - 1}`);
    for (const [address, services] of more) addresses.set(address, services);
    last = more[more.length - 1]?.[0];
  }
  return { addresses, certain: first.certain };
}
