// Armed faults: a matching request is answered with the armed status instead of being served,
// `times` times. Matching is by verb, by resource (plural, or `plural/status`) and by object name,
// so that one object can fail while its neighbours of the same kind are served.
import type { KubeFault, KubeVerb } from './types.ts';

const VERBS: readonly KubeVerb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

interface Slot {
  readonly fault: KubeFault;
  remaining: number;
}

export function validateFault(f: KubeFault): void {
  if (!(Number.isInteger(f.status) && f.status >= 400 && f.status <= 599)) throw new Error(`kube fault: status must be 400-599, got ${String(f.status)}`);
  if (!(Number.isInteger(f.times) && f.times >= 1)) throw new Error(`kube fault: times must be a whole number >= 1, got ${String(f.times)}`);
  if (f.verb !== undefined && !VERBS.includes(f.verb)) throw new Error(`kube fault: verb must be one of ${VERBS.join(', ')}`);
  if (f.name !== undefined && !(typeof f.name === 'string' && f.name !== '')) throw new Error('kube fault: name must be a non-empty string');
  if (f.retryAfterSeconds !== undefined && !(Number.isInteger(f.retryAfterSeconds) && f.retryAfterSeconds >= 0)) {
    throw new Error('kube fault: retryAfterSeconds must be a whole number >= 0');
  }
}

export class FaultTable {
  private slots: Slot[] = [];

  arm(f: KubeFault): void {
    validateFault(f);
    this.slots.push({ fault: { ...f }, remaining: f.times });
  }

  clear(): void {
    this.slots = [];
  }

  /** The first armed fault for this request, with one use taken from it. */
  take(verb: KubeVerb, resource: string, name: string | undefined): KubeFault | undefined {
    const slot = this.slots.find((s) => (s.fault.verb === undefined || s.fault.verb === verb)
      && (s.fault.resource === undefined || s.fault.resource === resource)
      && (s.fault.name === undefined || s.fault.name === name));
    if (!slot) return undefined;
    slot.remaining -= 1;
    if (slot.remaining === 0) this.slots = this.slots.filter((s) => s !== slot);
    return slot.fault;
  }
}
