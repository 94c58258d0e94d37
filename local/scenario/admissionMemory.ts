// Which Services keep a load balancer although their spec is now invalid. The reference admits by
// spec alone; our engine leaves the Azure resources of a Service that was once admitted and later
// became invalid as they are (reference §7.5, shared/engine/desired.ts), and the convergence check
// follows our engine there, as the engine's property test does. The memory is kept from the
// scenario's own steps, not read from the engine, so the engine is not judged by itself.
// Limit: when an admitted spec is replaced by an invalid one before the forwarder has seen it, the
// engine never hears of the admitted one and creates nothing; the memory still says "kept", and
// the run reports not converged. A scenario that wants that case settles in between.
import { admitInboundService, isOurs } from '../../shared/engine/admission.ts';
import { serviceFact } from '../../shared/kube/toFacts.ts';
import type { ServiceObjectFact } from './expectedNrp.ts';

export class AdmissionMemory {
  private readonly kept = new Set<string>();

  /** A Service object as the cluster holds it after an apply; `wasTerminating` when it already had a deletionTimestamp. */
  applied(obj: unknown, wasTerminating: boolean): void {
    const r = serviceFact(obj);
    if (!r.ok || wasTerminating) return;
    const uid = r.fact.uid.toLowerCase();
    if (!isOurs(r.fact)) this.kept.delete(uid);
    else if (admitInboundService(r.fact).admitted) this.kept.add(uid);
  }

  deleted(uid: string): void {
    this.kept.delete(uid.toLowerCase());
  }

  /** The `admitted` callback of expectedNrp. */
  readonly admitted = (o: ServiceObjectFact): boolean => admitInboundService(o.fact).admitted || this.kept.has(o.fact.uid.toLowerCase());
}
