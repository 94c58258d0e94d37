// The report for a person: the few lines that say whether the run converged and what it cost.
import type { Report } from './reportTypes.ts';

export function formatSummary(report: Report, why: readonly string[] = []): string {
  const lines: string[] = [];
  lines.push(`scenario ${report.scenario}: ${report.converged ? 'converged' : 'NOT converged'} in ${(report.durationMs / 1000).toFixed(2)} s`);
  for (const w of why) lines.push(`  - ${w}`);
  const writes = Object.entries(report.calls).filter(([op, n]) => op !== 'throttled' && n > 0);
  const total = writes.reduce((sum, [, n]) => sum + n, 0);
  lines.push(`NRP write calls: ${total}${report.calls['throttled'] ? ` (throttled ${report.calls['throttled']})` : ''}`);
  for (const [op, n] of writes) lines.push(`  ${op.padEnd(34)} ${n}`);
  lines.push(`NRP services: ${report.nrp.services.length}`);
  const ipOf = new Map(report.nrp.publicIPs.map((p) => [p.name, p.ipAddress]));
  for (const s of report.nrp.services) lines.push(`  ${s.type.padEnd(8)} ${s.name}  ${ipOf.get(`${s.name}-pip`) ?? '(no public IP)'}`);
  lines.push(`Kubernetes Services: ${report.kubernetes.services.length}`);
  for (const s of report.kubernetes.services) {
    lines.push(`  ${s.namespace}/${s.name}  ingress [${s.ingressIPs.join(', ')}]  finalizers [${s.finalizers.join(', ')}]`);
  }
  if (report.kubernetes.pods.length > 0) {
    lines.push(`Egress pods: ${report.kubernetes.pods.length}`);
    for (const p of report.kubernetes.pods) lines.push(`  ${p.namespace}/${p.name}  finalizers [${p.finalizers.join(', ')}]`);
  }
  lines.push(`Events: ${report.kubernetes.events.length}`);
  for (const e of report.kubernetes.events) lines.push(`  ${e.type.padEnd(7)} ${e.reason}  ${e.object}`);
  lines.push(`Dead letters: ${report.deadLetters.length}`);
  for (const d of report.deadLetters) lines.push(`  ${d.queue}: ${d.reason}`);
  lines.push(`Latency: p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms`);
  const snaps = Object.keys(report.snapshots);
  if (snaps.length > 0) lines.push(`Snapshots: ${snaps.join(', ')}`);
  return lines.join('\n');
}
