// IP parsing without I/O: canonical strings are the keys of locations and addresses, so
// "10.0.0.1" and "10.000.0.1", or "FE80::1" and "fe80:0:0::1", must never be two keys.
import type { IpFamily } from './types.ts';

const INVALID = -1;
const CANONICAL = 0;
const LEADING_ZERO = 1;
type Scan = typeof INVALID | typeof CANONICAL | typeof LEADING_ZERO;

/**
 * Four dot-separated groups of 1-3 ASCII digits, each at most 255 (leading zeros allowed), in one
 * scan without split, regex or allocation: every endpoint and pod IP passes through here on each
 * sync. Fills `groups` when given; tells whether a group was written with a leading zero.
 */
function scanIPv4(text: string, groups: number[] | null): Scan {
  let value = 0;
  let digits = 0;
  let dots = 0;
  let result: Scan = CANONICAL;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return INVALID;
      if (digits === 2 && value === 0) result = LEADING_ZERO;
      value = value * 10 + (c - 48);
    } else if (c === 46 && digits > 0 && value <= 255 && dots < 3) {
      groups?.push(value);
      dots++;
      value = 0;
      digits = 0;
    } else {
      return INVALID;
    }
  }
  if (digits === 0 || value > 255 || dots !== 3) return INVALID;
  groups?.push(value);
  return result;
}

function parseIPv4(text: string): number[] | null {
  const groups: number[] = [];
  return scanIPv4(text, groups) === INVALID ? null : groups;
}

function parseIPv6(text: string): number[] | null {
  let s = text;
  // Embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (!v4) return null;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    s = `${s.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** RFC 5952: lower case, no leading zeros, the longest run (>= 2) of zero groups compressed. */
function formatIPv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

export interface ParsedIp {
  readonly canonical: string;
  readonly family: IpFamily;
}

/** The canonical form and family of an IP address, or null when it is not one. */
export function parseIp(text: string): ParsedIp | null {
  const t = text.trim();
  if (t.includes(':')) {
    const g = parseIPv6(t);
    return g ? { canonical: formatIPv6(g), family: 'IPv6' } : null;
  }
  const v4 = scanIPv4(t, null);
  if (v4 === INVALID) return null;
  // Hand back the input itself when it is already canonical (the usual case): the same string
  // object keeps its cached hash across the many Map lookups keyed by it.
  return { canonical: v4 === CANONICAL ? t : withoutLeadingZeros(t), family: 'IPv4' };
}

/** The canonical form of an IP of the given family, or null: parseIp without the result object,
 * for the loops that canonicalise every address of the cluster. */
export function canonicalIp(text: string, family: IpFamily): string | null {
  if (family === 'IPv6') {
    const p = parseIp(text);
    return p?.family === 'IPv6' ? p.canonical : null;
  }
  const t = text.trim();
  const v4 = scanIPv4(t, null);
  if (v4 === INVALID) return null;
  return v4 === CANONICAL ? t : withoutLeadingZeros(t);
}

/** "10.0.01.2" -> "10.0.1.2"; only for a quad scanIPv4 found valid. */
function withoutLeadingZeros(quad: string): string {
  const groups: number[] = [];
  scanIPv4(quad, groups);
  return groups.join('.');
}

export function familyOfAddressType(addressType: string): IpFamily | null {
  if (addressType === 'IPv4') return 'IPv4';
  if (addressType === 'IPv6') return 'IPv6';
  return null;
}

/**
 * The location of a family among a node's IPs: the smallest canonical string of that family, so
 * the choice is deterministic whatever order the IPs are listed in.
 */
export function locationOf(ips: readonly string[], family: IpFamily): string | null {
  let best: string | null = null;
  for (const ip of ips) {
    const p = parseIp(ip);
    if (!p || p.family !== family) continue;
    if (best === null || p.canonical < best) best = p.canonical;
  }
  return best;
}
