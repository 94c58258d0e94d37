// Random scenarios for the end-to-end tier (issue 13 item 13): from a seed, a scenario file (valid
// per local/scenario/schema.ts) that does what clusters do, not what a script thought of: Services
// created, edited, deleted and re-created under the same name with a new UID, their slices, nodes
// changing InternalIP, egress pods (label changed, pods before their node), NRP answering
// 409/429/500 on any write, a bus that fails sends, and restarts of the forwarder and the
// functions. It ends with a settle: the runner then judges convergence by expectedNrp.
import { seededRandom, uidOf } from '../support/builders.ts';

type Json = Record<string, unknown>;

const NODES: Record<string, string[]> = { 'node-a': ['10.0.0.4', '10.0.0.14'], 'node-b': ['10.0.0.5', '10.0.0.15'], 'node-c': ['10.0.0.6', '10.0.0.16'] };
const SERVICES = ['web', 'api'];
const PODS = ['worker-1', 'worker-2', 'worker-3'];
const IDENTITIES = ['team-a', 'team-b'];
const NRP_WRITES = ['loadBalancers.createOrUpdate', 'publicIPAddresses.createOrUpdate', 'natGateways.createOrUpdate', 'loadBalancers.delete', 'updateAddressLocations', 'updateServices'];
// No 400: a 400 on updateAddressLocations is final, as in the reference, so a scenario that drew
// it would not converge by design; a 400 on a service write (retried since item 6) has its own
// scenario, nrp-bad-request-create.
const STATUSES = [409, 429, 500];

export function randomScenario(seed: number): Json {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const steps: Json[] = [];
  const nodeIp = new Map<string, string>();
  const serviceUid = new Map<string, string>();
  /** Services deleted since the last settle: Kubernetes refuses their name until the finalizer is off. */
  const terminating = new Set<string>();
  let generation = 0;
  // One fault and one restart per scenario: a retry waits out real backoff, and the tier must stay
  // within a couple of minutes for its 20 seeds.
  let faults = 1;
  let restarts = 1;

  const node = (name: string): void => {
    const ip = pick(NODES[name] ?? ['10.0.0.4']);
    nodeIp.set(name, ip);
    steps.push({ op: 'apply', object: { apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] } } });
  };
  const service = (name: string): void => {
    if (terminating.has(name)) return;
    const uid = serviceUid.get(name) ?? uidOf(`${seed}/${name}#${++generation}`);
    serviceUid.set(name, uid);
    const ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: pick([8080, 8081]) }];
    steps.push({ op: 'apply', object: { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name, uid }, spec: { type: 'LoadBalancer', selector: { app: name }, ports, ipFamilies: ['IPv4'] } } });
  };
  const slice = (name: string): void => {
    const uid = serviceUid.get(name);
    if (uid === undefined) return;
    const endpoints = Object.keys(NODES)
      .filter(() => random() < 0.6)
      .map((n, i) => ({ addresses: [`10.244.${i}.${10 + SERVICES.indexOf(name)}`], conditions: { ready: random() < 0.8 }, nodeName: n }));
    steps.push({
      op: 'apply',
      object: {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { namespace: 'default', name: `${name}-s1`, labels: { 'kubernetes.io/service-name': name }, ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid }] },
        addressType: 'IPv4',
        endpoints,
        ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
      },
    });
  };
  const pod = (name: string): void => {
    const nodeName = pick(Object.keys(NODES));
    // The pod may come before its node: its status carries the node's address all the same.
    const hostIP = nodeIp.get(nodeName) ?? NODES[nodeName]?.[0] ?? '10.0.0.4';
    const podIP = `10.244.${9 + PODS.indexOf(name)}.21`;
    steps.push({
      op: 'apply',
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { namespace: 'apps', name, uid: uidOf(`${seed}/pod/${name}`), labels: { app: 'worker', 'kubernetes.azure.com/service-egress-gateway': pick(IDENTITIES) } },
        spec: { nodeName, containers: [{ name: 'app', image: 'busybox:1.36' }] },
        status: { phase: 'Running', hostIP, hostIPs: [{ ip: hostIP }], podIP, podIPs: [{ ip: podIP }] },
      },
    });
  };
  const settle = (): void => {
    steps.push({ op: 'settle' });
    terminating.clear();
  };

  const count = 8 + Math.floor(random() * 8);
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.12) node(pick(Object.keys(NODES)));
    else if (r < 0.3) service(pick(SERVICES));
    else if (r < 0.42) slice(pick(SERVICES));
    else if (r < 0.48) {
      const name = pick(SERVICES);
      if (!serviceUid.has(name)) continue;
      steps.push({ op: 'delete', object: { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name } } });
      // The next apply of this name is a new Service (a new UID), once Kubernetes lets it exist.
      serviceUid.delete(name);
      terminating.add(name);
    } else if (r < 0.62) pod(pick(PODS));
    else if (r < 0.67) steps.push({ op: 'delete', object: { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'apps', name: pick(PODS) } } });
    else if (r < 0.8 && faults > 0) {
      faults--;
      steps.push(random() < 0.8 ? { op: 'fault', fault: { target: 'nrp', operation: pick(NRP_WRITES), status: pick(STATUSES), times: 1 } } : { op: 'fault', fault: { target: 'bus', times: 1 } });
    } else if (r < 0.9 && restarts > 0) {
      restarts--;
      steps.push({ op: 'restart', component: pick(['functions', 'forwarder'] as const) });
    } else if (r >= 0.9) settle();
  }
  settle();
  return { name: `random-${seed}`, description: `generated from seed ${seed} (test/e2e/randomScenario.ts)`, cluster: { name: 'demo' }, timeoutMs: 90_000, steps };
}
