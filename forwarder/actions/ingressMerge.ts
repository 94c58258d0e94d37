// A Service's `status.loadBalancer.ingress` after the engine reports the public IP of one family:
// the entry of that family is replaced in place (or appended), IPs of the other family and
// hostname entries are kept, because a dual-stack Service gets its two IPs from two reports and
// other writers may own hostnames.
import { parseIp } from '../../shared/engine/ip.ts';
import type { IpFamily } from '../../shared/engine/types.ts';

export type IngressEntry = Readonly<Record<string, unknown>>;

export interface IngressMerge {
  readonly ingress: readonly IngressEntry[];
  /** False when the list already says exactly this: nothing to write. */
  readonly changed: boolean;
}

function familyOfEntry(entry: IngressEntry): IpFamily | null {
  const ip = entry['ip'];
  return typeof ip === 'string' ? (parseIp(ip)?.family ?? null) : null;
}

export function mergeIngress(current: readonly IngressEntry[], ip: string, family: IpFamily): IngressMerge {
  const parsed = parseIp(ip);
  if (parsed === null || parsed.family !== family) throw new Error(`ingress IP ${JSON.stringify(ip)} is not an ${family} address`);
  const out: IngressEntry[] = [];
  let placed = false;
  let changed = false;
  for (const entry of current) {
    if (familyOfEntry(entry) !== family) {
      out.push(entry);
      continue;
    }
    if (placed) {
      changed = true; // a second entry of the family: only the engine's IP stays
      continue;
    }
    placed = true;
    const same = typeof entry['ip'] === 'string' && parseIp(entry['ip'])?.canonical === parsed.canonical;
    if (same) out.push(entry);
    else {
      out.push({ ip: parsed.canonical });
      changed = true;
    }
  }
  if (!placed) {
    out.push({ ip: parsed.canonical });
    changed = true;
  }
  return { ingress: out, changed };
}
