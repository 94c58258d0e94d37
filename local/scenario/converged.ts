// Has the whole pipeline converged? Strictly: nothing is pending anywhere, NRP equals what the
// cluster's objects ask for (by the reference's rules, not the engine's), every admitted Service
// shows its public IP, and nothing is stuck terminating. `why` lists each shortfall in one line,
// which is what a person reads when a scenario times out.
import { SERVICE_FINALIZER } from '../../shared/engine/types.ts';
import type { Pipeline, PendingWork } from '../host/pipeline.types.ts';
import { admittedBySpec, expectedNrpOfObjects } from './expectedNrp.ts';
import type { Expected, ServiceObjectFact } from './expectedNrp.ts';
import { kubernetesState } from './kubernetesState.ts';
import { nrpDiff } from './nrpDiff.ts';
import type { NrpSnapshot } from './reportTypes.ts';
import { CLUSTER_SCOPED_KINDS, KIND_API_VERSIONS } from './schema.ts';

export interface Convergence {
  readonly converged: boolean;
  readonly why: readonly string[];
}

export interface ConvergenceOptions {
  /** Which Services get a load balancer (default: admission by spec, the reference's rule). */
  readonly admitted?: ((o: ServiceObjectFact) => boolean) | undefined;
}

type Cluster = Pick<Pipeline, 'kube' | 'nrp'>;

const FACT_KINDS = ['Service', 'EndpointSlice', 'Node', 'Pod'] as const;

export function pendingDiff(p: PendingWork): string[] {
  const why: string[] = [];
  for (const [queue, n] of Object.entries(p.queues).sort()) if (n > 0) why.push(`queue ${queue}: ${n} message(s) pending`);
  if (p.forwarderOutbox > 0) why.push(`forwarder outbox: ${p.forwarderOutbox} change(s) not sent`);
  if (p.invocationsInFlight > 0) why.push(`${p.invocationsInFlight} function invocation(s) running`);
  for (const [name, state] of Object.entries(p.operations).sort()) why.push(`operation ${name} is ${state}`);
  if (p.locationsPending) why.push('a locations sync is pending');
  return why;
}

/** What the cluster's objects ask of NRP now. */
export function expectedNow(pipeline: Cluster, options: ConvergenceOptions = {}): Expected {
  const objects = FACT_KINDS.flatMap((k) => pipeline.kube.list(k));
  return expectedNrpOfObjects(objects, options.admitted ?? admittedBySpec);
}

/** The differences between NRP and what the cluster asks for, right now. */
export function nrpDifferences(pipeline: Cluster, options: ConvergenceOptions = {}): string[] {
  return nrpDiff(pipeline.nrp.snapshot(), expectedNow(pipeline, options));
}

/** Every Service NRP serves for the cluster shows that service's public IP in its status. */
function ingressDiff(pipeline: Cluster, want: Expected, nrp: NrpSnapshot): string[] {
  const why: string[] = [];
  const pipOf = new Map(nrp.publicIPs.map((p) => [p.name.toLowerCase(), p.ipAddress]));
  for (const s of kubernetesState(pipeline.kube).services) {
    const uid = s.uid.toLowerCase();
    if (want.services.get(uid) !== 'Inbound') continue;
    const ip = pipOf.get(`${uid}-pip`);
    if (s.ingressIPs.length === 0) why.push(`Service ${s.namespace}/${s.name} has no ingress IP yet`);
    else if (ip !== undefined && !s.ingressIPs.includes(ip)) why.push(`Service ${s.namespace}/${s.name} ingress IPs [${s.ingressIPs.join(', ')}] do not hold its public IP ${ip}`);
  }
  return why;
}

function terminatingDiff(pipeline: Cluster): string[] {
  const why: string[] = [];
  for (const kind of Object.keys(KIND_API_VERSIONS)) {
    for (const o of pipeline.kube.list(kind)) {
      const m = (o['metadata'] ?? {}) as Record<string, unknown>;
      if (m['deletionTimestamp'] === undefined || m['deletionTimestamp'] === null) continue;
      const name = CLUSTER_SCOPED_KINDS.has(kind) ? String(m['name']) : `${String(m['namespace'])}/${String(m['name'])}`;
      const finalizers = Array.isArray(m['finalizers']) ? (m['finalizers'] as unknown[]).map(String).join(', ') : '';
      why.push(`${kind} ${name} is still terminating (finalizers [${finalizers}])`);
    }
  }
  return why;
}

/** A Service that is not ours (any more) must not keep our finalizer. */
function strayFinalizerDiff(pipeline: Cluster, want: Expected): string[] {
  return kubernetesState(pipeline.kube)
    .services.filter((s) => s.finalizers.includes(SERVICE_FINALIZER) && !want.services.has(s.uid.toLowerCase()))
    .map((s) => `Service ${s.namespace}/${s.name} still carries ${SERVICE_FINALIZER}`);
}

export async function isConverged(pipeline: Pick<Pipeline, 'kube' | 'nrp' | 'pending'>, options: ConvergenceOptions = {}): Promise<Convergence> {
  const pending = pendingDiff(await pipeline.pending());
  const want = expectedNow(pipeline, options);
  const nrp = pipeline.nrp.snapshot();
  const why = [
    ...pending,
    ...nrpDiff(nrp, want),
    ...ingressDiff(pipeline, want, nrp),
    ...terminatingDiff(pipeline),
    ...strayFinalizerDiff(pipeline, want),
  ];
  return { converged: why.length === 0, why };
}
