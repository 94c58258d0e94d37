// The scenario file (shared/scenarios/README.md) as a zod schema, and its parser. A bad file is
// refused before anything starts, with reasons naming the JSON path (`steps[3].op: …`), so a
// scenario that silently tests nothing (a typo in a field, a fault on the wrong target) cannot run.
import { z } from 'zod';
import { describeIssues } from './schemaIssues.ts';

/** apiVersion of every kind a scenario may apply or delete. */
export const KIND_API_VERSIONS: Readonly<Record<string, string>> = {
  Node: 'v1',
  Service: 'v1',
  Pod: 'v1',
  Namespace: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
};
const KINDS = ['Node', 'Service', 'Pod', 'Namespace', 'EndpointSlice'] as const;

export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(['Node', 'Namespace']);

const nonEmpty = z.string().min(1);
const kind = z.enum(KINDS);

function checkApiVersion(o: { apiVersion?: string | undefined; kind: string }, ctx: z.RefinementCtx): void {
  const want = KIND_API_VERSIONS[o.kind];
  if (o.apiVersion !== undefined && o.apiVersion !== want) {
    ctx.addIssue({ code: 'custom', path: ['apiVersion'], message: `expected "${want}" for kind ${o.kind}` });
  }
}

// Objects are passed to the Kubernetes API simulator as they are: it validates them as the real
// API server would. Here only what the runner itself reads is checked.
const kubeObject = z
  .looseObject({
    apiVersion: nonEmpty,
    kind,
    metadata: z.looseObject({ name: nonEmpty, namespace: nonEmpty.optional() }),
  })
  .superRefine(checkApiVersion);

const objectRef = z
  .strictObject({
    apiVersion: nonEmpty.optional(),
    kind,
    metadata: z.strictObject({ namespace: nonEmpty.optional(), name: nonEmpty }),
  })
  .superRefine(checkApiVersion);

const KUBE_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] as const;
const TARGETS = ['nrp', 'tables', 'bus', 'kube'] as const;

const fault = z
  .strictObject({
    target: z.enum(TARGETS),
    operation: nonEmpty.optional(),
    status: z
      .union([z.int().min(400).max(599), z.literal('timeout')], { error: 'expected an HTTP status 400-599 or "timeout"' })
      .optional(),
    times: z.int().min(1).default(1),
    retryAfterSeconds: z.int().min(0).optional(),
    verb: z.enum(KUBE_VERBS).optional(),
    resource: nonEmpty.optional(),
    // Beyond the README: the NRP simulator can hold a call before answering (a slow NRP); the
    // project's own scenarios use it to act while an operation is in flight.
    latencyMs: z.int().min(0).optional(),
    // Beyond the README too: the ARM error code of an NRP fault's body (default by status, 400
    // BadRequest), so a scenario can answer what NRP does (`InvalidResourceReference`).
    code: z.string().regex(/^[A-Za-z][A-Za-z0-9.]*$/, { error: 'expected an ARM error code (letters, digits, dots)' }).optional(),
  })
  .superRefine((f, ctx) => {
    const only = (field: 'operation' | 'verb' | 'resource' | 'retryAfterSeconds' | 'latencyMs' | 'code', targets: readonly string[]): void => {
      if (f[field] !== undefined && !targets.includes(f.target)) {
        ctx.addIssue({ code: 'custom', path: [field], message: `only for target ${targets.join(' or ')}` });
      }
    };
    only('operation', ['nrp']);
    only('verb', ['kube']);
    only('resource', ['kube']);
    only('retryAfterSeconds', ['nrp', 'kube']);
    only('latencyMs', ['nrp']);
    only('code', ['nrp']);
    // The bus fault fails the next sends whatever the status; an NRP fault with a latency and no
    // status only slows the call down; every other fault answers with its status.
    const statusOptional = f.target === 'bus' || (f.target === 'nrp' && f.latencyMs !== undefined);
    if (f.status === undefined && !statusOptional) ctx.addIssue({ code: 'custom', path: ['status'], message: 'missing' });
    // The Kubernetes simulator answers a fault with a status; it has no way to hold a request.
    if (f.status === 'timeout' && f.target === 'kube') ctx.addIssue({ code: 'custom', path: ['status'], message: '"timeout" is not supported for target kube' });
  });

const step = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('apply'), object: kubeObject }),
  z.strictObject({ op: z.literal('delete'), object: objectRef }),
  z.strictObject({ op: z.literal('fault'), fault }),
  z.strictObject({ op: z.literal('restart'), component: z.enum(['functions', 'forwarder', 'all']) }),
  z.strictObject({ op: z.literal('settle') }),
  z.strictObject({ op: z.literal('snapshot'), name: nonEmpty }),
  z.strictObject({ op: z.literal('sleep'), ms: z.int().min(0) }),
]);

export const scenarioSchema = z
  .strictObject({
    name: nonEmpty,
    description: z.string().optional(),
    cluster: z.strictObject({ name: nonEmpty }),
    timeoutMs: z.int().min(1).default(60_000),
    steps: z.array(step),
  })
  .superRefine((s, ctx) => {
    // Snapshots are keyed by name in the report: a second one would overwrite the first.
    const seen = new Set<string>();
    s.steps.forEach((st, i) => {
      if (st.op !== 'snapshot') return;
      if (seen.has(st.name)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'name'], message: `duplicate snapshot name "${st.name}"` });
      seen.add(st.name);
    });
  });

export type Scenario = z.output<typeof scenarioSchema>;
export type Step = Scenario['steps'][number];
export type FaultSpec = z.output<typeof fault>;
export type ObjectRef = z.output<typeof objectRef>;

export type ParseResult = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly reason: string };

export function parseScenario(text: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const r = scenarioSchema.safeParse(json, { reportInput: true });
  return r.success ? { ok: true, scenario: r.data } : { ok: false, reason: describeIssues(r.error.issues) };
}
