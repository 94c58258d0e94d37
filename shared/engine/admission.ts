// Which Services are ours, and whether we can build what they ask for (reference §7.2).
import { parseIp } from './ip.ts';
import type { InboundConfig, IpFamily, PortRule, Protocol, ServiceFact } from './types.ts';

export const INTERNAL_LB_ANNOTATION = 'service.beta.kubernetes.io/azure-load-balancer-internal';
export const IDLE_TIMEOUT_ANNOTATION = 'service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout';
export const DEFAULT_IDLE_TIMEOUT_MINUTES = 4;
/** Every annotation the engine reads: the forwarder carries these and no others. */
export const ENGINE_ANNOTATIONS: readonly string[] = [INTERNAL_LB_ANNOTATION, IDLE_TIMEOUT_ANNOTATION];

export type AdmissionReason =
  | 'UnsupportedInternalLoadBalancer'
  | 'UnsupportedSessionAffinity'
  | 'UnsupportedLoadBalancerIP'
  | 'UnsupportedDualStack'
  | 'InvalidIdleTimeout'
  | 'UnsupportedNamedTargetPort'
  | 'UnsupportedProtocol'
  | 'UnsupportedBackendPortCollision';

export type Admission =
  | { readonly admitted: true; readonly config: InboundConfig }
  | { readonly admitted: false; readonly reason: AdmissionReason; readonly message: string };

/** A Service of type LoadBalancer without a loadBalancerClass is ours; any class means someone else's. */
export function isOurs(service: ServiceFact): boolean {
  return service.type === 'LoadBalancer' && !service.loadBalancerClass;
}

function reject(reason: AdmissionReason, message: string): Admission {
  return { admitted: false, reason, message };
}

/** Go's white space (unicode.IsSpace), which the reference's strings.TrimSpace removes. */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/.source;
const WHOLE_MINUTES = new RegExp(String.raw`^${GO_SPACE}\+?(\d+)${GO_SPACE}$`);

/** The annotation's number as the reference reads it (strings.TrimSpace, then strconv.Atoi, which
 * takes one leading '+'); NaN for anything else. A '-' number is out of range either way. */
function wholeMinutes(value: string): number {
  const digits = WHOLE_MINUTES.exec(value)?.[1];
  return digits === undefined ? NaN : Number(digits);
}

function backendPortOf(targetPort: number | string | null, port: number): number | null {
  if (targetPort === null || targetPort === 0 || targetPort === '0') return port;
  if (typeof targetPort === 'number') return targetPort;
  return /^\d+$/.test(targetPort) ? Number(targetPort) : null;
}

export function admitInboundService(service: ServiceFact): Admission {
  const ann = service.annotations;
  if ((ann[INTERNAL_LB_ANNOTATION] ?? '').toLowerCase() === 'true') {
    return reject('UnsupportedInternalLoadBalancer', 'internal load balancers are not supported in Service Gateway mode');
  }
  if (service.sessionAffinity === 'ClientIP') {
    return reject('UnsupportedSessionAffinity', 'sessionAffinity ClientIP is not supported in Service Gateway mode');
  }
  if (service.loadBalancerIP) {
    return reject('UnsupportedLoadBalancerIP', 'spec.loadBalancerIP is not supported in Service Gateway mode');
  }
  if (service.ipFamilies.length > 1) {
    return reject('UnsupportedDualStack', 'dual-stack LoadBalancer Services are not supported in Service Gateway mode');
  }
  const family: IpFamily = service.ipFamilies[0] === 'IPv6' ? 'IPv6' : 'IPv4';

  let idleTimeoutMinutes = DEFAULT_IDLE_TIMEOUT_MINUTES;
  const idle = ann[IDLE_TIMEOUT_ANNOTATION];
  if (idle !== undefined) {
    const n = wholeMinutes(idle);
    if (!(n >= 4 && n <= 30)) {
      return reject('InvalidIdleTimeout', `${IDLE_TIMEOUT_ANNOTATION} must be a whole number of minutes from 4 to 30, got "${idle}"`);
    }
    idleTimeoutMinutes = n;
  }

  const rules: PortRule[] = [];
  for (const p of service.ports) {
    if (p.protocol !== 'TCP' && p.protocol !== 'UDP') {
      return reject('UnsupportedProtocol', `port ${p.port}: protocol ${p.protocol} is not supported (TCP or UDP only)`);
    }
    const backendPort = backendPortOf(p.targetPort, p.port);
    if (backendPort === null) {
      return reject('UnsupportedNamedTargetPort', `port ${p.port}: named targetPort "${String(p.targetPort)}" is not supported with pod IP backend pools`);
    }
    rules.push({ protocol: p.protocol satisfies Protocol, port: p.port, backendPort });
  }
  const seen = new Set<string>();
  for (const r of rules) {
    const k = `${r.protocol}/${r.backendPort}`;
    if (seen.has(k)) {
      return reject('UnsupportedBackendPortCollision', `two ports map to ${r.protocol} backend port ${r.backendPort}`);
    }
    seen.add(k);
  }
  rules.sort((a, b) => (a.protocol === b.protocol ? a.port - b.port : a.protocol < b.protocol ? -1 : 1));

  const uid = service.uid.toLowerCase();
  return {
    admitted: true,
    config: {
      kind: 'inbound',
      name: uid,
      service: { namespace: service.namespace, name: service.name, uid: service.uid },
      ipFamily: family,
      ports: rules,
      idleTimeoutMinutes,
    },
  };
}

/** The ingress IP to write back must be of the Service's family; anything else is a bug upstream. */
export function familyOfPublicIp(ip: string): IpFamily | null {
  return parseIp(ip)?.family ?? null;
}
