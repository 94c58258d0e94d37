// The server-side printer columns per kind (pkg/printers/internalversion/printers.go), reduced to
// what is worth showing for objects nobody runs: Pods have no kubelet here, so their status is
// whatever the admin API wrote.
import { record, records, stringMap, strings, text } from './json.ts';
import type { KubeObject } from './types.ts';

export interface ColumnDefinition {
  readonly name: string;
  readonly type: 'string' | 'integer';
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

export type Cell = string | number;

export interface Columns {
  readonly definitions: readonly ColumnDefinition[];
  cells(obj: KubeObject, age: (iso: string) => string): Cell[];
}

function col(name: string, description: string, opts: { type?: 'string' | 'integer'; format?: string; priority?: number } = {}): ColumnDefinition {
  return { name, type: opts.type ?? 'string', format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

const NAME = col('Name', 'Name must be unique within a namespace.', { format: 'name' });
const AGE = col('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created.');

function created(obj: KubeObject): string {
  return text(record(obj['metadata'])['creationTimestamp']);
}

function orNone(list: readonly string[], none = '<none>'): string {
  return list.length === 0 ? none : list.join(',');
}

function withMore(list: readonly string[], max = 3): string {
  if (list.length === 0) return '<unset>';
  const shown = list.slice(0, max).join(',');
  return list.length > max ? `${shown} + ${list.length - max} more...` : shown;
}

function serviceExternalIp(spec: Record<string, unknown>, status: Record<string, unknown>): string {
  const external = strings(spec['externalIPs']);
  switch (text(spec['type'])) {
    case 'ExternalName': return text(spec['externalName']);
    case 'LoadBalancer': {
      const ingress = records(record(status['loadBalancer'])['ingress']).map((i) => text(i['ip']) || text(i['hostname'])).filter((s) => s !== '');
      const all = [...ingress, ...external];
      return all.length === 0 ? '<pending>' : all.join(',');
    }
    default: return orNone(external);
  }
}

const service: Columns = {
  definitions: [
    NAME,
    col('Type', 'The type of the service.'),
    col('Cluster-IP', 'The IP address of the service.'),
    col('External-IP', 'The external IP address of the service.'),
    col('Port(s)', 'The ports of the service.'),
    AGE,
    col('Selector', 'The selector of the service.', { priority: 1 }),
  ],
  cells(obj, age) {
    const spec = record(obj['spec']);
    const ports = records(spec['ports']).map((p) => {
      const np = typeof p['nodePort'] === 'number' && p['nodePort'] > 0 ? `:${p['nodePort']}` : '';
      return `${String(p['port'])}${np}/${text(p['protocol']) || 'TCP'}`;
    });
    const selector = Object.entries(stringMap(spec['selector'])).sort().map(([k, v]) => `${k}=${v}`);
    return [
      text(record(obj['metadata'])['name']), text(spec['type']), text(spec['clusterIP']) || '<none>',
      serviceExternalIp(spec, record(obj['status'])), orNone(ports), age(created(obj)), orNone(selector),
    ];
  },
};

function podStatus(obj: KubeObject): string {
  const status = record(obj['status']);
  let reason = text(status['reason']) || text(status['phase']) || 'Pending';
  for (const cs of records(status['containerStatuses'])) {
    const state = record(cs['state']);
    const waiting = text(record(state['waiting'])['reason']);
    const terminated = record(state['terminated']);
    if (waiting !== '') reason = waiting;
    else if (text(terminated['reason']) !== '') reason = text(terminated['reason']);
  }
  if (text(record(obj['metadata'])['deletionTimestamp']) !== '') reason = status['reason'] === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

const pod: Columns = {
  definitions: [
    NAME,
    col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE,
    col('IP', 'IP address allocated to the pod. Routable at least within the cluster.', { priority: 1 }),
    col('Node', 'Name of the node where the pod is scheduled.', { priority: 1 }),
  ],
  cells(obj, age) {
    const status = record(obj['status']);
    const statuses = records(status['containerStatuses']);
    const total = records(record(obj['spec'])['containers']).length;
    const ready = statuses.filter((c) => c['ready'] === true).length;
    const restarts = statuses.reduce((n, c) => n + (typeof c['restartCount'] === 'number' ? c['restartCount'] : 0), 0);
    return [
      text(record(obj['metadata'])['name']), `${ready}/${total}`, podStatus(obj), String(restarts), age(created(obj)),
      text(status['podIP']) || '<none>', text(record(obj['spec'])['nodeName']) || '<none>',
    ];
  },
};

const node: Columns = {
  definitions: [
    NAME,
    col('Status', 'The status of the node'),
    col('Roles', 'The roles of the node'),
    AGE,
    col('Version', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'List of internal IPs (if any).', { priority: 1 }),
    col('External-IP', 'List of external IPs (if any).', { priority: 1 }),
  ],
  cells(obj, age) {
    const status = record(obj['status']);
    const ready = records(status['conditions']).find((c) => c['type'] === 'Ready');
    let state = ready?.['status'] === 'True' ? 'Ready' : ready?.['status'] === 'False' ? 'NotReady' : 'Unknown';
    if (record(obj['spec'])['unschedulable'] === true) state += ',SchedulingDisabled';
    const labels = stringMap(record(obj['metadata'])['labels']);
    const roles = Object.keys(labels).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length));
    if (labels['kubernetes.io/role']) roles.push(labels['kubernetes.io/role']);
    const addresses = (type: string): string => orNone(records(status['addresses']).filter((a) => a['type'] === type).map((a) => text(a['address'])));
    return [
      text(record(obj['metadata'])['name']), state, orNone(roles.sort()), age(created(obj)),
      text(record(status['nodeInfo'])['kubeletVersion']), addresses('InternalIP'), addresses('ExternalIP'),
    ];
  },
};

const endpointSlice: Columns = {
  definitions: [
    NAME,
    col('AddressType', 'Type of address contained in this endpoint slice.'),
    col('Ports', 'Ports contained in this endpoint slice.'),
    col('Endpoints', 'Endpoints contained in this endpoint slice.'),
    AGE,
  ],
  cells(obj, age) {
    const ports = records(obj['ports']).map((p) => (typeof p['port'] === 'number' ? String(p['port']) : text(p['name']) || '*'));
    const addresses = records(obj['endpoints']).flatMap((e) => strings(e['addresses']));
    return [text(record(obj['metadata'])['name']), text(obj['addressType']), withMore(ports), withMore(addresses), age(created(obj))];
  },
};

const event: Columns = {
  definitions: [
    col('Last Seen', 'Time when last event occurred'),
    col('Type', 'Type of this event (Normal, Warning), new types could be added in the future.'),
    col('Reason', 'This should be a short, machine understandable string that gives the reason for this event being generated.'),
    col('Object', 'The object this Event is about.'),
    col('Message', 'A human-readable description of the status of this operation.'),
    col('Count', 'The number of times this event has occurred.', { type: 'integer', priority: 1 }),
    col('Name', 'Name must be unique within a namespace.', { format: 'name', priority: 1 }),
  ],
  cells(obj, age) {
    const io = record(obj['involvedObject']);
    const last = text(obj['lastTimestamp']) || text(obj['eventTime']) || created(obj);
    return [
      age(last), text(obj['type']), text(obj['reason']), `${text(io['kind']).toLowerCase()}/${text(io['name'])}`, text(obj['message']),
      typeof obj['count'] === 'number' ? obj['count'] : 1, text(record(obj['metadata'])['name']),
    ];
  },
};

const namespace: Columns = {
  definitions: [NAME, col('Status', 'The status of the namespace'), AGE],
  cells(obj, age) {
    return [text(record(obj['metadata'])['name']), text(record(obj['status'])['phase']), age(created(obj))];
  },
};

const BY_KIND: Readonly<Record<string, Columns>> = { Service: service, Pod: pod, Node: node, EndpointSlice: endpointSlice, Event: event, Namespace: namespace };

export function columnsOf(kind: string): Columns {
  return BY_KIND[kind] ?? { definitions: [NAME, AGE], cells: (o, age) => [text(record(o['metadata'])['name']), age(created(o))] };
}
