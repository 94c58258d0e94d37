// The Kubernetes objects of the benchmark's cluster, as a user (or a controller) writes them to the
// API server: Nodes, LoadBalancer Services with one EndpointSlice each, and labelled egress pods.
import type { KubeObject } from '../../local/sim/kube/server.ts';
import { egressIdentity, nodeIp } from '../facts.ts';

export const SERVICE_NAMESPACE = 'bench';
export const EGRESS_NAMESPACE = 'egress';
export const EGRESS_LABEL = 'kubernetes.azure.com/service-egress-gateway';

export interface Endpoint {
  readonly ip: string;
  readonly node: number;
  readonly ready: boolean;
}

export interface ServiceModel {
  readonly index: number;
  readonly uid: string;
  readonly name: string;
  endpoints: Endpoint[];
}

export interface EgressPod {
  readonly name: string;
  readonly uid: string;
  readonly identity: number;
  readonly ip: string;
  readonly node: number;
}

export function nodeName(i: number): string {
  return `node-${i}`;
}

export function namespaceObject(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function nodeObject(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: nodeName(i) },
    status: { addresses: [{ type: 'InternalIP', address: nodeIp(i) }, { type: 'Hostname', address: nodeName(i) }] },
  };
}

export function serviceObject(s: ServiceModel): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: SERVICE_NAMESPACE, name: s.name, uid: s.uid },
    spec: {
      type: 'LoadBalancer',
      // As in a Service Gateway cluster: NRP routes to pod IPs, so no node ports (the 2,768 of the
      // default range would not even hold the scale run's 4,000 Services).
      allocateLoadBalancerNodePorts: false,
      selector: { app: s.name },
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
      ipFamilies: ['IPv4'],
    },
  };
}

export function sliceName(s: ServiceModel): string {
  return `${s.name}-x1`;
}

export function sliceObject(s: ServiceModel): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace: SERVICE_NAMESPACE,
      name: sliceName(s),
      labels: { 'kubernetes.io/service-name': s.name },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: s.name, uid: s.uid }],
    },
    addressType: 'IPv4',
    endpoints: s.endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready }, nodeName: nodeName(e.node) })),
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
  };
}

export function podObject(p: EgressPod): KubeObject {
  const host = nodeIp(p.node);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: EGRESS_NAMESPACE, name: p.name, uid: p.uid, labels: { app: 'egress', [EGRESS_LABEL]: egressIdentity(p.identity) } },
    spec: { nodeName: nodeName(p.node), containers: [{ name: 'app', image: 'busybox:1.36' }] },
    status: { phase: 'Running', hostIP: host, hostIPs: [{ ip: host }], podIP: p.ip, podIPs: [{ ip: p.ip }] },
  };
}
