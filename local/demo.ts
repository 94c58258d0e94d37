// `npm start`: the default scenario played through the engine core, with every command executed
// against the in-process model of Kubernetes and NRP that the core's tests use. It shows what the
// engine decides, step by step, and ends with a convergence report (exit 0 when converged).
// The full local pipeline (simulators, bus, Azurite, forwarder) replaces this model as it lands.
import { node, pod, service, slice, uidOf } from '../test/support/builders.ts';
import { World } from '../test/support/world.ts';

const w = new World({ config: { locationsSyncIntervalMs: 1_000 } });
let writesBefore = 0;

function progress(step: string): void {
  const ops = [...w.state.ops.values()];
  const pending = ops.filter((o) => o.state !== 'Created').map((o) => `${o.name.slice(0, 8)}:${o.state}`);
  const writes = w.nrp.writes - writesBefore;
  writesBefore = w.nrp.writes;
  console.log(`${step.padEnd(44)} ops ${String(ops.length).padStart(2)}  pending [${pending.join(', ')}]  NRP writes +${writes}`);
}

function settle(step: string): void {
  if (!w.settle()) throw new Error(`did not settle after: ${step}`);
  progress(`  settled (t=${(w.now / 1000).toFixed(1)} s)`);
}

console.log('Service Gateway engine: default scenario through the engine core\n');
for (const [name, ips] of [['node-a', ['10.0.0.4']], ['node-b', ['10.0.0.5', 'fd00::5']], ['node-c', ['10.0.0.6']]] as const) {
  w.apply({ kind: 'Node', fact: node(name, [...ips]) });
}
progress('3 nodes (node-b dual-stack)');

w.apply({ kind: 'Service', fact: service('web', { ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }, { protocol: 'UDP', port: 53, targetPort: null }] }) });
w.apply({ kind: 'Service', fact: service('api') });
w.apply({ kind: 'Service', fact: service('legacy', { sessionAffinity: 'ClientIP' }) });
w.apply({
  kind: 'EndpointSlice',
  fact: slice('web-1', uidOf('web'), [
    { ip: '10.244.0.7', node: 'node-a' },
    { ip: '10.244.1.7', node: 'node-b' },
    { ip: '10.244.2.7', node: 'node-c' },
  ]),
});
w.apply({ kind: 'EndpointSlice', fact: slice('api-1', uidOf('api'), [{ ip: '10.244.1.8', node: 'node-b' }]) });
progress('services web, api, legacy (rejected) + endpoints');

w.apply({ kind: 'Pod', fact: pod('egress-1', 'team-a', { nodeName: 'node-b', hostIPs: ['10.0.0.5', 'fd00::5'], podIPs: ['10.244.1.20', 'fd00:244::20'] }) });
w.apply({ kind: 'Pod', fact: pod('egress-2', 'team-a', { nodeName: 'node-a', hostIPs: ['10.0.0.4'], podIPs: ['10.244.0.21'] }) });
progress('egress identity team-a, 2 pods');

// A transient failure on the first create: the engine backs off and retries.
const first = [...w.pendingOps.keys()][0];
if (first) w.completeOp(first, 'transient');
progress('one create fails (HTTP 500)');
settle('create');

w.apply({ kind: 'EndpointSlice', fact: slice('web-1', uidOf('web'), [{ ip: '10.244.0.7', node: 'node-a' }, { ip: '10.244.1.7', node: 'node-b' }]) });
progress('scale-down: web loses node-c endpoint');
settle('scale-down');

w.remove('Service', 'api');
w.remove('Pod', 'egress-1');
w.remove('Pod', 'egress-2');
progress('delete api and both egress pods');
settle('delete');

const locations = w.nrp.snapshot();
const services = [...w.nrp.services].map(([n, t]) => `${n} (${t})`);
const stuck = [...w.cluster.values()].filter((o) => (o.kind === 'Service' || o.kind === 'Pod') && o.fact.deleting);
const converged = w.pendingOps.size === 0 && w.pendingSync === null && stuck.length === 0 && w.nrp.violations.length === 0;
console.log('\nConvergence report');
console.log(JSON.stringify({ converged, nrpServices: services, locations, nrpWrites: w.nrp.writes, ingress: Object.fromEntries(w.statusPatches), violations: w.nrp.violations }, null, 2));
process.exitCode = converged ? 0 : 1;
