// Armed faults: matched by operation name (or `*` for every write), consumed one call at a time.
import type { ArmedFault, NrpFault } from './types.ts';

interface Slot {
  readonly fault: NrpFault;
  remaining: number;
}

/** `updateServices` and `serviceGateways.updateServices` name the same operation. */
function normalise(operation: string): string {
  const lower = operation.toLowerCase();
  return lower.startsWith('servicegateways.') && !lower.endsWith('.get') ? lower.slice('servicegateways.'.length) : lower;
}

export function validateFault(fault: NrpFault): void {
  if (fault.target !== undefined && fault.target !== 'nrp') throw new Error(`NRP fault: target must be 'nrp', got '${String(fault.target)}'`);
  if (typeof fault.operation !== 'string' || fault.operation === '') throw new Error('NRP fault: operation is required');
  const s = fault.status;
  if (s !== undefined && s !== 'timeout' && !(Number.isInteger(s) && s >= 400 && s <= 599)) {
    throw new Error(`NRP fault: status must be an HTTP error status (400-599) or "timeout", got ${String(s)}`);
  }
  if (s === undefined && fault.latencyMs === undefined) throw new Error('NRP fault: give a status, a latencyMs, or both');
  const times = fault.times ?? 1;
  if (!(times >= 1)) throw new Error('NRP fault: times must be >= 1');
  if (fault.retryAfterSeconds !== undefined && !(Number.isInteger(fault.retryAfterSeconds) && fault.retryAfterSeconds >= 0)) {
    throw new Error('NRP fault: retryAfterSeconds must be a whole number >= 0 (Retry-After is in seconds)');
  }
  if (fault.latencyMs !== undefined && !(fault.latencyMs >= 0)) throw new Error('NRP fault: latencyMs must be >= 0');
}

export class FaultTable {
  private slots: Slot[] = [];

  arm(fault: NrpFault): void {
    validateFault(fault);
    this.slots.push({ fault: { ...fault }, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.slots = [];
  }

  pending(): ArmedFault[] {
    return this.slots.filter((s) => s.remaining > 0).map((s) => ({ fault: s.fault, remaining: s.remaining }));
  }

  /** The first armed fault matching this call, with one use taken from it. */
  take(operation: string, isWrite: boolean): NrpFault | undefined {
    const op = normalise(operation);
    const slot = this.slots.find((s) => s.remaining > 0 && (s.fault.operation === '*' ? isWrite : normalise(s.fault.operation) === op));
    if (!slot) return undefined;
    slot.remaining -= 1;
    this.slots = this.slots.filter((s) => s.remaining > 0);
    return slot.fault;
  }
}
