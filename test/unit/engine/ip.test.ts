// IP canonicalisation is what makes location and address keys unique (reference §1.1): two
// spellings of one address must never become two keys, and nothing that is not an IP may become one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { familyOfAddressType, locationOf, parseIp } from '../../../shared/engine/ip.ts';
import type { IpFamily } from '../../../shared/engine/types.ts';

interface CanonCase {
  readonly name: string;
  readonly input: string;
  readonly canonical: string;
  readonly family: IpFamily;
}

const canonical: readonly CanonCase[] = [
  { name: 'keeps a plain IPv4 address as it is', input: '10.0.0.1', canonical: '10.0.0.1', family: 'IPv4' },
  { name: 'drops leading zeros of IPv4 octets (read as decimal)', input: '10.000.0.01', canonical: '10.0.0.1', family: 'IPv4' },
  { name: 'accepts the IPv4 octet bounds 0 and 255', input: '0.255.0.255', canonical: '0.255.0.255', family: 'IPv4' },
  { name: 'trims surrounding whitespace', input: '  10.0.0.1\t', canonical: '10.0.0.1', family: 'IPv4' },
  { name: 'lower-cases IPv6 hex digits', input: 'FE80::ABCD', canonical: 'fe80::abcd', family: 'IPv6' },
  { name: 'drops leading zeros of IPv6 groups', input: '2001:0db8:0000:0000:0000:0000:0000:0001', canonical: '2001:db8::1', family: 'IPv6' },
  { name: 'compresses an uncompressed run of zero groups', input: 'fe80:0:0:0:0:0:0:1', canonical: 'fe80::1', family: 'IPv6' },
  { name: 're-compresses a partially compressed address', input: 'fe80:0:0::1', canonical: 'fe80::1', family: 'IPv6' },
  { name: 'compresses the longest run, not the first one', input: '1:0:0:2:0:0:0:3', canonical: '1:0:0:2::3', family: 'IPv6' },
  { name: 'compresses the first of two equally long runs', input: '1:0:0:2:0:0:3:4', canonical: '1::2:0:0:3:4', family: 'IPv6' },
  { name: 'never compresses a single zero group', input: '2001:db8:0:1:1:1:1:1', canonical: '2001:db8:0:1:1:1:1:1', family: 'IPv6' },
  { name: 'expands a "::" that stands for a single zero group', input: '1:2:3:4:5:6:7::', canonical: '1:2:3:4:5:6:7:0', family: 'IPv6' },
  { name: 'compresses a leading run of zeros', input: '0:0:0:0:0:0:0:1', canonical: '::1', family: 'IPv6' },
  { name: 'compresses a trailing run of zeros', input: 'fd00:1:0:0:0:0:0:0', canonical: 'fd00:1::', family: 'IPv6' },
  { name: 'writes the all-zero address as "::"', input: '0:0:0:0:0:0:0:0', canonical: '::', family: 'IPv6' },
  { name: 'turns an embedded IPv4 tail into two hex groups', input: '2001:db8::1.2.3.4', canonical: '2001:db8::102:304', family: 'IPv6' },
  { name: 'accepts an embedded IPv4 tail after six full groups', input: '1:2:3:4:5:6:10.0.0.1', canonical: '1:2:3:4:5:6:a00:1', family: 'IPv6' },
];

const rejected: readonly { readonly name: string; readonly input: string }[] = [
  { name: 'an empty string', input: '' },
  { name: 'only whitespace', input: '   ' },
  { name: 'an IPv4 octet above 255', input: '10.0.0.256' },
  { name: 'an IPv4 octet of four digits', input: '10.0.0.0001' },
  { name: 'a negative IPv4 octet', input: '10.0.-1.1' },
  { name: 'an empty IPv4 octet', input: '10..0.1' },
  { name: 'three IPv4 octets', input: '10.0.1' },
  { name: 'five IPv4 octets', input: '10.0.0.1.2' },
  { name: 'a trailing dot', input: '10.0.0.1.' },
  { name: 'a hostname', input: 'node-a.example.com' },
  { name: 'a single-label hostname', input: 'localhost' },
  { name: 'a host and port', input: 'node-a:80' },
  { name: 'nine IPv6 groups', input: '1:2:3:4:5:6:7:8:9' },
  { name: 'seven IPv6 groups without "::"', input: '1:2:3:4:5:6:7' },
  { name: 'eight IPv6 groups with "::"', input: '1:2:3:4:5:6:7:8::' },
  { name: 'two "::"', input: '1::2::3' },
  { name: 'an IPv6 group of five hex digits', input: '2001:0db80::1' },
  { name: 'a non-hex IPv6 group', input: 'fe80::g1' },
  { name: 'a single leading colon', input: ':1:2:3:4:5:6:7' },
  { name: 'a zone index', input: 'fe80::1%eth0' },
  { name: 'a bad embedded IPv4 tail', input: '::ffff:1.2.3.256' },
  { name: 'an embedded IPv4 tail that is not last', input: '::1.2.3.4:5' },
  { name: 'too many groups before an embedded IPv4 tail', input: '1:2:3:4:5:6:7:1.2.3.4' },
];

describe('parseIp', () => {
  for (const c of canonical) {
    it(`${c.name} (${JSON.stringify(c.input)} -> ${c.canonical})`, () => {
      assert.deepEqual(parseIp(c.input), { canonical: c.canonical, family: c.family });
    });
  }

  for (const c of rejected) {
    it(`rejects ${c.name} (${JSON.stringify(c.input)})`, () => {
      assert.equal(parseIp(c.input), null);
    });
  }

  it('gives every spelling of one IPv6 address the same key', () => {
    const spellings = ['fd00:0:0:0:0:0:0:a', 'FD00::A', 'fd00:0000::000a', 'fd00:0::0:0:a'];
    const keys = new Set(spellings.map((s) => parseIp(s)?.canonical));
    assert.deepEqual([...keys], ['fd00::a']);
  });

  it('gives an IPv4-mapped address the same key in dotted and in hex form', () => {
    const dotted = parseIp('::ffff:10.0.0.1');
    const hex = parseIp('0:0:0:0:0:FFFF:0A00:0001');
    assert.ok(dotted !== null);
    assert.equal(dotted.family, 'IPv6');
    assert.deepEqual(hex, dotted);
  });

  it('returns canonical forms that are fixed points', () => {
    for (const c of canonical) assert.equal(parseIp(c.canonical)?.canonical, c.canonical, c.input);
  });
});

describe('locationOf', () => {
  it('picks the smallest canonical string of the family, whatever the order', () => {
    const ips = ['10.0.0.9', '10.0.0.10', '10.0.0.2'];
    // String order, not numeric order: "10.0.0.10" < "10.0.0.2" < "10.0.0.9".
    for (const order of [ips, [...ips].reverse(), [ips[1] ?? '', ips[2] ?? '', ips[0] ?? '']]) {
      assert.equal(locationOf(order, 'IPv4'), '10.0.0.10');
    }
  });

  it('compares canonical strings, not the spellings it was given', () => {
    // "010.0.0.5" would sort before "10.0.0.3" as written, but it is "10.0.0.5".
    assert.equal(locationOf(['010.0.0.5', '10.0.0.3'], 'IPv4'), '10.0.0.3');
    assert.equal(locationOf(['FD00::B', 'fd00:0::a'], 'IPv6'), 'fd00::a');
  });

  it('ignores IPs of the other family', () => {
    const ips = ['fd00::1', '10.0.0.7', '::1'];
    assert.equal(locationOf(ips, 'IPv4'), '10.0.0.7');
    assert.equal(locationOf(ips, 'IPv6'), '::1');
  });

  it('ignores IPs that do not parse', () => {
    assert.equal(locationOf(['node-a', '', '10.0.0.300', '10.0.0.8'], 'IPv4'), '10.0.0.8');
  });

  it('returns null when no IP of the family is present', () => {
    assert.equal(locationOf(['10.0.0.1', 'garbage'], 'IPv6'), null);
    assert.equal(locationOf([], 'IPv4'), null);
  });
});

describe('familyOfAddressType', () => {
  const cases: readonly { readonly input: string; readonly want: IpFamily | null }[] = [
    { input: 'IPv4', want: 'IPv4' },
    { input: 'IPv6', want: 'IPv6' },
    { input: 'FQDN', want: null },
    { input: 'ipv4', want: null },
    { input: '', want: null },
  ];
  for (const c of cases) {
    it(`maps addressType ${JSON.stringify(c.input)} to ${String(c.want)}`, () => {
      assert.equal(familyOfAddressType(c.input), c.want);
    });
  }
});
