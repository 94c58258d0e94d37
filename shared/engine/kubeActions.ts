// Kubernetes actions are level-triggered: the engine asks for a finalizer removal or an ingress IP
// because its state says so, and asks again, with backoff, until a fact shows it done. A
// k8s-actions message that dead-lettered, or a forwarder that lost it, then costs a delay, never a
// Service stuck Terminating or never showing its IP. A finished relist of the kind asks again at
// once: it is the moment the forwarder is known to be back.
//
// A confirmed status ask is remembered for a while rather than forgotten: another controller that
// keeps clearing the status would otherwise be answered at once every time, a fight at full speed.
// Remembered, the next ask waits out the backoff and counts on from the attempts before it; the
// memory goes once the status has held for `ASK_MEMORY_MS`, with the next decision after that, so
// the state holds at most one such row per Service and only for a while.
import type { Draft } from './draft.ts';
import type { AskedAction, EngineCommand, KubeObjectKind } from './types.ts';

/** The first ask again comes this long after the ask, doubling per attempt up to the maximum. */
export const ASK_AGAIN_MIN_MS = 10_000;
export const ASK_AGAIN_MAX_MS = 300_000;
/** How long a confirmed ask is remembered (at least until its backoff ran out). */
export const ASK_MEMORY_MS = ASK_AGAIN_MAX_MS;

export type AskedKey = `Service/${string}` | `Pod/${string}` | `Status/${string}`;

function backoffMs(attempts: number): number {
  return Math.min(ASK_AGAIN_MAX_MS, ASK_AGAIN_MIN_MS * 2 ** Math.min(Math.max(attempts - 1, 0), 20));
}

const isConfirmed = (a: AskedAction): a is AskedAction & { confirmedAt: number } => a.confirmedAt !== undefined;

function forgottenAt(a: AskedAction & { confirmedAt: number }): number {
  return Math.max(a.nextAt, a.confirmedAt + ASK_MEMORY_MS);
}

/** The record of the ask, unless it is a confirmed one whose memory ran out. */
function recordOf(d: Draft, key: AskedKey): AskedAction | undefined {
  const a = d.asked.get(key);
  return a !== undefined && isConfirmed(a) && d.now >= forgottenAt(a) ? undefined : a;
}

/** Whether the action was asked for (with this value) and is not due to be asked again yet. */
export function askedRecently(d: Draft, key: AskedKey, value: string | null = null): boolean {
  const prev = recordOf(d, key);
  return prev !== undefined && prev.value === value && d.now < prev.nextAt;
}

/** Emits the action unless it was asked for recently, and records when to ask again. */
export function ask(d: Draft, key: AskedKey, command: EngineCommand, value: string | null = null): void {
  const prev = recordOf(d, key);
  if (prev !== undefined && isConfirmed(prev) && prev.value === value) {
    // Undone since it was confirmed: wanted again, at the earliest when its backoff ends.
    d.askedW().set(key, { attempts: prev.attempts, nextAt: prev.nextAt, value: prev.value });
  }
  if (askedRecently(d, key, value)) return;
  const attempts = prev !== undefined && prev.value === value ? prev.attempts + 1 : 1;
  const next: AskedAction = { attempts, nextAt: d.now + backoffMs(attempts), value };
  d.askedW().set(key, next);
  d.emit(command);
}

/** A fact shows the action done: remembered, so that its undoing is asked again with backoff. */
export function confirmAsked(d: Draft, key: AskedKey): void {
  const a = d.asked.get(key);
  if (a !== undefined && !isConfirmed(a)) d.askedW().set(key, { ...a, confirmedAt: d.now });
}

/** The action is done for good (its object gone), or no longer wanted. */
export function forgetAsked(d: Draft, key: AskedKey): void {
  if (d.asked.has(key)) d.askedW().delete(key);
}

function kindOfKey(key: string): 'Service' | 'Pod' | 'Status' | null {
  const kind = key.slice(0, key.indexOf('/'));
  return kind === 'Service' || kind === 'Pod' || kind === 'Status' ? kind : null;
}

/** A relist of the kind finished: what is still asked for about its objects is due now. */
export function askAgainAfterRelist(d: Draft, objectKind: KubeObjectKind): void {
  for (const [key, a] of d.asked) {
    const kind = kindOfKey(key);
    const about = kind === 'Status' ? 'Service' : kind;
    if (about === objectKind && !isConfirmed(a) && a.nextAt > d.now) d.askedW().set(key, { ...a, nextAt: d.now });
  }
}

/**
 * The due asks are re-examined: their objects are touched, so the passes that derive the actions
 * (finalizers, status) run for them and ask again if still needed. Confirmed asks wait for a fact
 * that undoes them, and are forgotten when their memory runs out.
 */
export function touchDueAsks(d: Draft): void {
  for (const [key, a] of d.asked) {
    if (isConfirmed(a)) {
      if (d.now >= forgottenAt(a)) d.askedW().delete(key);
      continue;
    }
    if (a.nextAt > d.now) continue;
    d.dueAsks.add(key);
    const rest = key.slice(key.indexOf('/') + 1);
    switch (kindOfKey(key)) {
      case 'Pod':
        d.touchedPods.add(rest);
        break;
      case 'Service':
      case 'Status':
        d.touchedNames.add(rest);
        break;
      default:
        d.askedW().delete(key);
    }
  }
}

/**
 * After every pass: a due ask its pass did not repeat (a pod still draining, NRP not read yet) waits
 * for its next turn, and the engine is woken when the next ask is due. A memory running out is no
 * reason to wake: it is dropped by the next decision, whatever wakes it.
 */
export function wakeForAsks(d: Draft): void {
  for (const key of d.dueAsks) {
    const a = d.asked.get(key);
    if (a !== undefined && !isConfirmed(a) && a.nextAt <= d.now) d.askedW().set(key, { ...a, nextAt: d.now + backoffMs(a.attempts) });
  }
  d.dueAsks.clear();
  for (const a of d.asked.values()) if (!isConfirmed(a)) d.wake(a.nextAt);
}
