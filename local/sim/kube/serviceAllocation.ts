// Cluster IPs (10.0.0.0/16, the AKS default service CIDR) and node ports (30000-32767) for
// Services, with the real allocator's refusals. Allocation is sequential so tests are repeatable.
import { isRecord, record, records, strings, text } from './json.ts';
import type { FieldError } from './status.ts';
import { internalError } from './status.ts';
import type { KubeObject } from './types.ts';
import { invalidValue } from './validation.ts';

const CIDR = '10.0.0.0/16';
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;
/** 10.0.0.1 is the `kubernetes` Service and 10.0.0.10 kube-dns on AKS: start past them. */
const FIRST_OFFSET = 256 + 1;

function ipOf(offset: number): string {
  return `10.0.${Math.floor(offset / 256)}.${offset % 256}`;
}

function inCidr(ip: string): boolean {
  const m = /^10\.0\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  return m !== null && Number(m[1]) <= 255 && Number(m[2]) <= 255;
}

export interface InUse {
  readonly clusterIPs: ReadonlySet<string>;
  readonly nodePorts: ReadonlySet<number>;
}

/** What the other Services hold. */
export function inUseBy(services: readonly KubeObject[]): InUse {
  const clusterIPs = new Set<string>();
  const nodePorts = new Set<number>();
  for (const s of services) {
    const spec = record(s['spec']);
    for (const ip of strings(spec['clusterIPs'])) clusterIPs.add(ip);
    for (const p of records(spec['ports'])) if (typeof p['nodePort'] === 'number') nodePorts.add(p['nodePort']);
  }
  return { clusterIPs, nodePorts };
}

function needsNodePorts(type: unknown): boolean {
  return type === 'LoadBalancer' || type === 'NodePort';
}

/**
 * dropTypeDependentFields: on a type change, what only the old type used goes, unless the
 * client changed it (a client echoing the old object back must not be refused for it).
 */
function dropTypeDependentFields(spec: Record<string, unknown>, before: Record<string, unknown>): void {
  if (spec['type'] === before['type']) return;
  if (needsNodePorts(before['type']) && !needsNodePorts(spec['type'])) {
    const oldNodePorts = new Set(records(before['ports']).map((p) => p['nodePort']));
    for (const p of records(spec['ports'])) if (oldNodePorts.has(p['nodePort'])) delete p['nodePort'];
    if (spec['externalTrafficPolicy'] === before['externalTrafficPolicy']) delete spec['externalTrafficPolicy'];
  }
  if (before['type'] === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] === before['allocateLoadBalancerNodePorts']) {
    delete spec['allocateLoadBalancerNodePorts'];
  }
  if (spec['type'] === 'ExternalName' && spec['clusterIP'] === before['clusterIP']) {
    for (const k of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) delete spec[k];
  }
}

/** On update, an omitted cluster IP or node port keeps the stored one (patchAllocatedValues). */
function keepAllocated(spec: Record<string, unknown>, old: KubeObject | undefined): void {
  if (!old) return;
  const before = record(old['spec']);
  dropTypeDependentFields(spec, before);
  if (text(spec['clusterIP']) === '' && text(before['clusterIP']) !== '' && spec['type'] !== 'ExternalName') {
    spec['clusterIP'] = before['clusterIP'];
    spec['clusterIPs'] ??= before['clusterIPs'];
  }
  const oldPorts = records(before['ports']);
  for (const p of records(spec['ports'])) {
    if (p['nodePort'] !== undefined) continue;
    const match = oldPorts.find((o) => o['port'] === p['port'] && (o['protocol'] ?? 'TCP') === (p['protocol'] ?? 'TCP'));
    if (match && typeof match['nodePort'] === 'number' && needsNodePorts(spec['type'])) p['nodePort'] = match['nodePort'];
  }
}

export class ServiceAllocator {
  private nextIp = FIRST_OFFSET;
  private nextPort = NODE_PORT_MIN;

  /** Fills clusterIP(s), IP families and node ports of a defaulted Service; returns allocation failures. */
  allocate(obj: KubeObject, old: KubeObject | undefined, used: InUse): FieldError[] {
    const spec = isRecord(obj['spec']) ? obj['spec'] : (obj['spec'] = {});
    keepAllocated(spec, old);
    const type = text(spec['type']);
    const errs: FieldError[] = [];
    if (type === 'ExternalName') return errs;
    const wanted = text(spec['clusterIP']);
    if (wanted === 'None') {
      spec['clusterIPs'] = ['None'];
    } else if (wanted !== '') {
      const mine = old !== undefined && strings(record(old['spec'])['clusterIPs']).includes(wanted);
      if (!mine && !inCidr(wanted)) {
        errs.push(invalidValue('spec.clusterIPs', [wanted], `failed to allocate IP ${wanted}: the provided IP (${wanted}) is not in the valid range. The range of valid IPs is ${CIDR}`));
      } else if (!mine && used.clusterIPs.has(wanted)) {
        errs.push(invalidValue('spec.clusterIPs', [wanted], `failed to allocate IP ${wanted}: provided IP is already allocated`));
      }
      spec['clusterIPs'] = [wanted];
    } else {
      const ip = this.freeIp(used.clusterIPs);
      spec['clusterIP'] = ip;
      spec['clusterIPs'] = [ip];
    }
    spec['ipFamilies'] ??= ['IPv4'];
    spec['ipFamilyPolicy'] ??= 'SingleStack';
    if (type !== 'LoadBalancer' && type !== 'NodePort') return errs;
    if (type === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] === false) return errs;
    const oldPorts = new Set(records(record(old?.['spec'])['ports']).map((p) => p['nodePort']));
    const taken = new Set(used.nodePorts);
    records(spec['ports']).forEach((p, i) => {
      const np = p['nodePort'];
      if (np === undefined) {
        const port = this.freePort(taken);
        p['nodePort'] = port;
        taken.add(port);
        return;
      }
      if (oldPorts.has(np)) return;
      if (typeof np !== 'number' || np < NODE_PORT_MIN || np > NODE_PORT_MAX) {
        errs.push(invalidValue(`spec.ports[${i}].nodePort`, np, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`));
      } else if (taken.has(np)) {
        errs.push(invalidValue(`spec.ports[${i}].nodePort`, np, 'provided port is already allocated'));
      } else {
        taken.add(np);
      }
    });
    return errs;
  }

  private freeIp(used: ReadonlySet<string>): string {
    for (let tries = 0; tries < 65_000; tries += 1) {
      const ip = ipOf(this.nextIp);
      this.nextIp = this.nextIp >= 65_534 ? FIRST_OFFSET : this.nextIp + 1;
      if (!used.has(ip)) return ip;
    }
    // What the API server answers when its allocator is full: 500, not a field error.
    throw internalError('failed to allocate a serviceIP: range is full');
  }

  private freePort(used: ReadonlySet<number>): number {
    for (let tries = 0; tries <= NODE_PORT_MAX - NODE_PORT_MIN; tries += 1) {
      const port = this.nextPort;
      this.nextPort = port >= NODE_PORT_MAX ? NODE_PORT_MIN : port + 1;
      if (!used.has(port)) return port;
    }
    throw internalError('failed to allocate a nodePort: range is full');
  }
}
