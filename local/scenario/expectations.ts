// What a scenario of the end-to-end tier must end with (`NAME.expect.json` beside `NAME.json`):
// the NRP state, the cluster's state, the Events, the dead letters, and a bound on the NRP write
// calls it may spend. The bound is the point of the product (cheap on Azure's write budget), so a
// change that converges but writes more than it should fails the tier.
import { z } from 'zod';
import type { Report } from './reportTypes.ts';
import { describeIssues } from './schemaIssues.ts';

const ruleSchema = z.strictObject({ protocol: z.enum(['Tcp', 'Udp']), frontendPort: z.number().int(), backendPort: z.number().int() });
const eventSchema = z.strictObject({ object: z.string().min(1), type: z.enum(['Normal', 'Warning']), reason: z.string().min(1) });

const expectationsSchema = z.strictObject({
  /** `total` bounds every write; any other key bounds that operation (`updateAddressLocations`, …). */
  maxNrpWrites: z.record(z.string(), z.number().int().nonnegative()).refine((m) => m['total'] !== undefined, 'needs a "total"'),
  nrp: z.strictObject({
    /** Service names (UIDs) registered as Inbound / egress identities registered as Outbound. */
    inbound: z.array(z.string()),
    outbound: z.array(z.string()),
    /** Load balancer name -> its rules, in any order. */
    loadBalancerRules: z.record(z.string(), z.array(ruleSchema)),
    /** location -> address -> services, exactly. */
    locations: z.record(z.string(), z.record(z.string(), z.array(z.string()))),
    /** NAT gateway name -> the names of the public IPs it lists, in any order (only those named). */
    natGatewayPublicIPs: z.record(z.string(), z.array(z.string())).optional(),
  }),
  kubernetes: z
    .strictObject({
      /** `namespace/name` of Services that must carry an ingress IP equal to their public IPs. */
      withIngress: z.array(z.string()).optional(),
      /** `namespace/name` of Services that must carry none. */
      withoutIngress: z.array(z.string()).optional(),
      /** Events that must be there; a Warning not listed here is a failure. */
      events: z.array(eventSchema).optional(),
      /** `Kind/namespace/name` of Services and Pods that must still exist, and ones that must be gone. */
      remaining: z.array(z.string()).optional(),
      gone: z.array(z.string()).optional(),
    })
    .default({}),
  deadLetters: z.number().int().nonnegative(),
  /** How the tier runs this scenario, when not on the production defaults. */
  pipeline: z
    .strictObject({
      /** The functions' share of NRP's write budget and its burst (see PipelineOptions.nrpWriteBudget). */
      nrpWriteBudget: z.strictObject({ share: z.number().positive().max(1).optional(), burst: z.number().int().positive().optional() }).optional(),
      /**
       * The locations sync window (the local pipeline's default is 200 ms). A write bound on
       * updateAddressLocations over a long wave is a bound on windows: at 200 ms it measures how
       * fast the host runs rather than how well the engine coalesces.
       */
      locationsSyncIntervalMs: z.number().int().positive().optional(),
    })
    .optional(),
});

export type Expectations = z.output<typeof expectationsSchema>;

export function parseExpectations(text: string): { ok: true; expectations: Expectations } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const parsed = expectationsSchema.safeParse(json);
  return parsed.success ? { ok: true, expectations: parsed.data } : { ok: false, reason: describeIssues(parsed.error.issues) };
}

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();
const same = (a: Iterable<string>, b: Iterable<string>): boolean => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
const ruleKey = (r: { protocol: string; frontendPort: number; backendPort: number }): string => `${r.protocol}:${r.frontendPort}->${r.backendPort}`;

function writeDifferences(report: Report, max: Readonly<Record<string, number>>): string[] {
  const out: string[] = [];
  const writes = Object.entries(report.calls).filter(([op]) => op !== 'throttled');
  const total = writes.reduce((n, [, c]) => n + c, 0);
  for (const [op, bound] of Object.entries(max)) {
    const used = op === 'total' ? total : (report.calls[op] ?? 0);
    if (used > bound) out.push(`NRP writes: ${op} used ${used}, at most ${bound} allowed`);
  }
  return out;
}

function nrpDifferences(report: Report, want: Expectations['nrp']): string[] {
  const out: string[] = [];
  const byType = (t: string): string[] => report.nrp.services.filter((s) => s.type === t).map((s) => s.name);
  if (!same(byType('Inbound'), want.inbound)) out.push(`NRP inbound services: ${JSON.stringify(sorted(byType('Inbound')))}, expected ${JSON.stringify(sorted(want.inbound))}`);
  if (!same(byType('Outbound'), want.outbound)) out.push(`NRP outbound services: ${JSON.stringify(sorted(byType('Outbound')))}, expected ${JSON.stringify(sorted(want.outbound))}`);

  const lbs = new Map(report.nrp.loadBalancers.map((lb) => [lb.name, lb.rules.map(ruleKey)]));
  if (!same(lbs.keys(), Object.keys(want.loadBalancerRules))) out.push(`NRP load balancers: ${JSON.stringify(sorted(lbs.keys()))}, expected ${JSON.stringify(sorted(Object.keys(want.loadBalancerRules)))}`);
  for (const [name, rules] of Object.entries(want.loadBalancerRules)) {
    const have = lbs.get(name);
    if (have !== undefined && !same(have, rules.map(ruleKey))) out.push(`NRP load balancer ${name} rules: ${JSON.stringify(sorted(have))}, expected ${JSON.stringify(sorted(rules.map(ruleKey)))}`);
  }
  const nats = report.nrp.natGateways.map((n) => n.name);
  if (!same(nats, want.outbound)) out.push(`NRP NAT gateways: ${JSON.stringify(sorted(nats))}, expected one per outbound service ${JSON.stringify(sorted(want.outbound))}`);
  for (const [name, pips] of Object.entries(want.natGatewayPublicIPs ?? {})) {
    const have = report.nrp.natGateways.find((n) => n.name === name)?.publicIPs ?? [];
    if (!same(have, pips)) out.push(`NRP NAT gateway ${name} public IPs: ${JSON.stringify(sorted(have))}, expected ${JSON.stringify(sorted(pips))}`);
  }

  // Every public IP belongs to a resource that should exist, and every such resource has one: a
  // leaked or missing IP is the costly failure of a delete or a create.
  const owners = new Set([...want.inbound, ...want.outbound]);
  for (const pip of report.nrp.publicIPs) {
    if (![...owners].some((o) => pip.name.startsWith(o))) out.push(`NRP public IP ${pip.name} belongs to nothing that should exist (leaked)`);
  }
  for (const o of owners) {
    if (!report.nrp.publicIPs.some((p) => p.name.startsWith(o))) out.push(`NRP has no public IP for ${o}`);
  }

  const have: Record<string, Record<string, string[]>> = {};
  for (const l of report.nrp.locations) have[l.location] = Object.fromEntries(l.addresses.map((a) => [a.address, sorted(a.services)]));
  const normalise = (m: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>): string =>
    JSON.stringify(Object.keys(m).sort().map((l) => [l, Object.keys(m[l] ?? {}).sort().map((a) => [a, sorted(m[l]?.[a] ?? [])])]));
  if (normalise(have) !== normalise(want.locations)) out.push(`NRP locations: ${JSON.stringify(have)}, expected ${JSON.stringify(want.locations)}`);
  return out;
}

function kubernetesDifferences(report: Report, publicIPs: ReadonlyMap<string, readonly string[]>, want: Expectations['kubernetes']): string[] {
  const out: string[] = [];
  const services = new Map(report.kubernetes.services.map((s) => [`${s.namespace}/${s.name}`, s]));
  for (const name of want.withIngress ?? []) {
    const s = services.get(name);
    if (s === undefined) {
      out.push(`Service ${name} should carry an ingress IP but does not exist`);
      continue;
    }
    const pips = publicIPs.get(s.uid) ?? [];
    if (s.ingressIPs.length === 0) out.push(`Service ${name} has no ingress IP`);
    else if (!same(s.ingressIPs, pips)) out.push(`Service ${name} ingress ${JSON.stringify(s.ingressIPs)} differs from its public IPs in NRP ${JSON.stringify(pips)}`);
  }
  for (const name of want.withoutIngress ?? []) {
    const s = services.get(name);
    if (s !== undefined && s.ingressIPs.length > 0) out.push(`Service ${name} should carry no ingress IP, has ${JSON.stringify(s.ingressIPs)}`);
  }
  const present = new Set([...report.kubernetes.services.map((s) => `Service/${s.namespace}/${s.name}`), ...report.kubernetes.pods.map((p) => `Pod/${p.namespace}/${p.name}`)]);
  for (const ref of want.remaining ?? []) if (!present.has(ref)) out.push(`${ref} should still exist`);
  for (const ref of want.gone ?? []) if (present.has(ref)) out.push(`${ref} should be gone`);

  const key = (e: { object: string; type: string; reason: string }): string => `${e.type} ${e.reason} ${e.object}`;
  const events = new Set(report.kubernetes.events.map(key));
  const wanted = new Set((want.events ?? []).map(key));
  for (const e of wanted) if (!events.has(e)) out.push(`missing Event: ${e}`);
  for (const e of events) if (e.startsWith('Warning ') && !wanted.has(e)) out.push(`unexpected Event: ${e}`);
  return out;
}

/** Every way the report falls short of the expectations; empty when it meets them. */
export function expectationDifferences(report: Report, want: Expectations): string[] {
  const publicIPs = new Map<string, string[]>();
  for (const s of report.nrp.services) {
    publicIPs.set(s.name, report.nrp.publicIPs.filter((p) => p.name.startsWith(s.name)).map((p) => p.ipAddress));
  }
  const out = [...writeDifferences(report, want.maxNrpWrites), ...nrpDifferences(report, want.nrp), ...kubernetesDifferences(report, publicIPs, want.kubernetes)];
  if (report.deadLetters.length !== want.deadLetters) out.push(`dead letters: ${report.deadLetters.length} (${report.deadLetters.map((d) => `${d.queue}: ${d.reason}`).join('; ')}), expected ${want.deadLetters}`);
  return out;
}
