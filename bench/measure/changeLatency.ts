// Event-to-NRP latency per change: from the moment the benchmark applied a change to the Kubernetes
// simulator to the first NRP write after which everything the change asks of NRP holds. The NRP
// simulator reports each write as it lands, so the resolution is exact, not a polling interval.
import type { NrpRuntimeControls } from '../../local/sim/nrp/server.ts';
import type { ChangeKind, Expectation, PlannedChange } from '../workload/plannedChange.ts';

type NrpView = Pick<NrpRuntimeControls, 'addressServices' | 'serviceType'>;

export interface ReflectedChange {
  readonly kind: ChangeKind;
  /** When it was applied, ms since the workload started. */
  readonly appliedAtMs: number;
  readonly latencyMs: number;
}

interface Waiting {
  readonly change: PlannedChange;
  readonly appliedAt: number;
}

function holds(nrp: NrpView, e: Expectation): boolean {
  if (e.kind === 'registered') return nrp.serviceType(e.service) !== undefined;
  const services = nrp.addressServices(e.location, e.address) ?? [];
  return services.includes(e.service) === e.present;
}

export class ChangeLatencies {
  private readonly nrp: NrpView;
  private readonly startedAt: number;
  private waiting: Waiting[] = [];
  private readonly done: ReflectedChange[] = [];

  constructor(nrp: NrpView, startedAt: number) {
    this.nrp = nrp;
    this.startedAt = startedAt;
  }

  applied(change: PlannedChange, at: number): void {
    this.waiting.push({ change, appliedAt: at });
  }

  /** NRP carried out a write at `at`: resolve every change it now reflects. */
  wrote(at: number): void {
    this.waiting = this.waiting.filter((w) => {
      if (!w.change.expect.every((e) => holds(this.nrp, e))) return true;
      this.done.push({ kind: w.change.kind, appliedAtMs: w.appliedAt - this.startedAt, latencyMs: at - w.appliedAt });
      return false;
    });
  }

  get pending(): number {
    return this.waiting.length;
  }

  reflected(): readonly ReflectedChange[] {
    return this.done;
  }

  /** When the last change was reflected, ms since the workload started (0 when none was). */
  lastReflectedMs(): number {
    return this.done.reduce((m, d) => Math.max(m, d.appliedAtMs + d.latencyMs), 0);
  }
}
