// Deterministic public IP allocation, so that two runs of one scenario report the same addresses.
//   sequential: IPv4 20.0.x.y and IPv6 2001:db8::n, by creation order (addresses are never reused).
//   byName:     from a hash of the resource name, independent of the order (20.1-254.x.y, 2001:db8::h:h).
import { canonicalIp, fnv1a } from './ids.ts';
import type { IpVersion } from './types.ts';

export class IpAllocator {
  private readonly mode: 'sequential' | 'byName';
  private readonly inUse = new Set<string>();
  private nextV4 = 1;
  private nextV6 = 1;

  constructor(mode: 'sequential' | 'byName') {
    this.mode = mode;
  }

  allocate(name: string, version: IpVersion): string {
    const ip = this.mode === 'sequential' ? this.sequential(version) : this.byName(name, version);
    this.inUse.add(ip);
    return ip;
  }

  release(ip: string): void {
    this.inUse.delete(ip);
  }

  private sequential(version: IpVersion): string {
    if (version === 'IPv6') return `2001:db8::${(this.nextV6++).toString(16)}`;
    const n = this.nextV4++ - 1;
    return `20.0.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`;
  }

  private byName(name: string, version: IpVersion): string {
    let h = fnv1a(name.toLowerCase());
    for (;;) {
      const ip = version === 'IPv4'
        ? `20.${1 + ((h >>> 16) % 254)}.${(h >>> 8) & 0xff}.${1 + ((h & 0xff) % 254)}`
        : canonicalIp(`2001:db8::${(h >>> 16).toString(16)}:${(h & 0xffff).toString(16)}`)?.ip ?? '2001:db8::1';
      if (!this.inUse.has(ip)) return ip;
      h = (h + 1) >>> 0;
    }
  }
}
