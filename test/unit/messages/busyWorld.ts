// A World driven through a scenario that makes the engine hear every kind of event and emit every
// kind of command, so the message tests map real values rather than hand-written ones.
import { CLUSTER, node, pod, service, slice, uidOf } from '../../support/builders.ts';
import { World } from '../../support/world.ts';

export { CLUSTER };

export const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function firstPending(w: World): string {
  const id = w.pendingOps.keys().next();
  if (id.done) throw new Error('no pending operation');
  return id.value;
}


export function busyWorld(): World {
  const w = new World();
  w.apply({ kind: 'Node', fact: node('node-a', ['10.0.0.4']) });
  w.apply({ kind: 'Node', fact: node('node-b', ['10.0.0.5', 'fd00::5']) });
  w.apply({
    kind: 'Service',
    fact: service('web', {
      annotations: { 'service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout': '10' },
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
        { protocol: 'UDP', port: 53, targetPort: null },
        { name: 'named', protocol: 'TCP', port: 443, targetPort: '8443' },
      ],
    }),
  });
  // Rejected by admission: a Warning event for the Service.
  w.apply({ kind: 'Service', fact: service('sticky', { sessionAffinity: 'ClientIP' }) });
  w.apply({
    kind: 'EndpointSlice',
    fact: slice('web-abc', uidOf('web'), [
      { ip: '10.244.0.5', node: 'node-a' },
      { ip: ['10.244.0.6', '10.244.0.7'], node: 'node-b', ready: null },
      { ip: '10.244.0.8', node: null, ready: false },
    ]),
  });
  w.apply({ kind: 'Pod', fact: pod('egress-1', 'team-a', { nodeName: 'node-b', hostIPs: ['10.0.0.5', 'fd00::5'], podIPs: ['10.244.1.1', 'fd00:244::11'] }) });
  // An invalid egress label: a Warning event for the Pod.
  w.apply({ kind: 'Pod', fact: pod('bad-label', 'Not_Valid!') });
  // A failed operation and a sync of unknown outcome before things settle.
  w.completeOp(firstPending(w), 'transient');
  w.settle();
  w.apply({ kind: 'EndpointSlice', fact: slice('web-abc', uidOf('web'), [{ ip: '10.244.0.5', node: 'node-a' }, { ip: '10.244.0.9', node: 'node-a' }]) });
  w.completeSync({ failAt: 0, outcomeUnknown: true, unknownApplied: true });
  w.settle();
  // A re-list: every object again as part of a snapshot, then the snapshot markers.
  w.relist('9000');
  // A mapping NRP holds that the mirror does not know, under a location it does not know either (the
  // drain deletes 10.0.0.4 whole): the delete is refused and NRP is read again.
  w.nrp.locations.set('10.0.0.6', new Map([['10.244.2.99', [uidOf('web').toLowerCase()]]]));
  w.remove('Service', 'web');
  w.settle();
  w.remove('Pod', 'egress-1');
  w.remove('Node', 'node-b');
  w.settle();
  return w;
}
