// Full convergence of the benchmark's pipeline: the scenario runner's strict check (nothing
// pending, NRP equal to what the cluster's objects ask for, ingress IPs written, nothing stuck
// terminating) plus what only the external processes know (the forwarder's outbox, invocations
// running). The strict check reads the whole engine state and cluster, so cheap signs of work
// (queues, outbox, unresolved changes) are looked at first; a pass counts once seen twice.
import { isConverged } from '../../local/scenario/converged.ts';
import type { LocalPipeline } from '../../local/host/pipeline.ts';
import { QUEUES } from '../../shared/messages/outgoing.ts';
import type { ForwarderProcess } from '../host/forwarderProcess.ts';
import type { FunctionHostProcess } from '../host/functionHostProcess.ts';

export interface ConvergenceProbe {
  readonly pipeline: LocalPipeline;
  readonly forwarder: ForwarderProcess;
  readonly functions: FunctionHostProcess;
  /** Changes made but not yet seen in NRP (0 when nothing is tracked). */
  readonly unresolved: () => number;
}

export interface Converged {
  /** The first poll of the pair that saw it converged (epoch ms). */
  readonly at: number;
  readonly checks: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function busyQueues(p: LocalPipeline): boolean {
  return QUEUES.some((q) => {
    if (q === 'rejected-messages') return false;
    const s = p.broker.peekState(q);
    return s.active + s.locked > 0;
  });
}

async function convergedNow(probe: ConvergenceProbe): Promise<{ converged: boolean; why: readonly string[] }> {
  if (probe.unresolved() > 0) return { converged: false, why: [`${probe.unresolved()} change(s) not in NRP yet`] };
  if (busyQueues(probe.pipeline)) return { converged: false, why: ['messages pending'] };
  if ((await probe.forwarder.outbox()) > 0) return { converged: false, why: ['forwarder outbox not empty'] };
  if ((await probe.functions.stats()).inFlight > 0) return { converged: false, why: ['invocations running'] };
  return isConverged(probe.pipeline);
}

/** Polls every `pollMs` until converged twice in a row, or throws at `deadline` with the reasons. */
export async function waitConverged(probe: ConvergenceProbe, pollMs: number, deadline: number): Promise<Converged> {
  let first: number | null = null;
  let checks = 0;
  for (;;) {
    const at = Date.now();
    const r = await convergedNow(probe);
    checks++;
    // BENCH_DEBUG=1: what each poll is still waiting for, to see where a slow run spends its time.
    if (process.env['BENCH_DEBUG']) process.stderr.write(`  [${new Date(at).toISOString()}] ${r.converged ? 'converged' : r.why.slice(0, 3).join('; ')}\n`);
    if (!r.converged) first = null;
    else if (first === null) first = at;
    else return { at: first, checks };
    if (Date.now() > deadline) throw new Error(`not converged in time:\n  ${r.why.slice(0, 20).join('\n  ')}`);
    await sleep(pollMs);
  }
}
