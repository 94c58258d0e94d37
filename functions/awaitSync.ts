// The engine sends a sync's trigger before it saves the state that holds the sync (ADR 0005), so
// the locations function can be triggered before that save lands, or, after a crash between the
// two, before the engine's redelivered batch saves it again. Such a trigger is early, not stale:
// its sync id carries the engine's sequence number, which the stored state has not reached yet.
// Dropping it would leave the sync waiting for its timeout (minutes), and the engine's resend has
// the same message id, which duplicate detection drops. So the function waits a little, and then
// puts the trigger back for later.
import type { ClusterState, InFlightSync } from '../shared/engine/types.ts';
import { systemSleep } from '../shared/azure/clock.ts';
import type { LocationsSyncTrigger } from '../shared/messages/envelopes.ts';
import { deferredLocationsSyncMessageId } from '../shared/messages/messageIds.ts';
import type { OutgoingMessage } from '../shared/messages/outgoing.ts';

/** Re-reads within one invocation: the usual gap between the engine's send and its save. */
export const SAVE_WAITS_MS: readonly number[] = [50, 100, 200, 400, 800];
/** Then the trigger comes back every 5 s, for up to 5 minutes: inside the engine's own 10-minute sync timeout. */
export const DEFER_MS = 5_000;
export const MAX_DEFERRALS = 60;

/** The engine sequence number a sync id (`cluster:sync:N`) was made at, or null if it has none. */
export function sequenceOf(syncId: string): number | null {
  const n = Number(syncId.slice(syncId.lastIndexOf(':') + 1));
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export type SyncLookup =
  | { readonly kind: 'inFlight'; readonly flight: InFlightSync }
  /** The engine closed it (or replaced it): a redelivery, nothing to do. */
  | { readonly kind: 'stale' }
  /** The state has not reached the decision that started it. */
  | { readonly kind: 'notSavedYet' };

export function lookUpSync(state: ClusterState, syncId: string): SyncLookup {
  const flight = state.sync.inFlight;
  if (flight?.syncId === syncId) return { kind: 'inFlight', flight };
  const n = sequenceOf(syncId);
  return n !== null && state.sequence < n ? { kind: 'notSavedYet' } : { kind: 'stale' };
}

/** Loads the state until the sync is in it or known stale, for the waits given. */
export async function awaitSync(load: () => Promise<ClusterState>, syncId: string, waits: readonly number[] = SAVE_WAITS_MS, sleep: (ms: number) => Promise<void> = (ms) => systemSleep(ms)): Promise<SyncLookup> {
  let found = lookUpSync(await load(), syncId);
  for (const ms of waits) {
    if (found.kind !== 'notSavedYet') return found;
    await sleep(ms);
    found = lookUpSync(await load(), syncId);
  }
  return found;
}

/** The same trigger, scheduled later, under an id of its own (the original's is taken by duplicate detection). */
export function deferredTrigger(body: LocationsSyncTrigger, now: number): OutgoingMessage | null {
  const deferrals = (body.deferrals ?? 0) + 1;
  if (deferrals > MAX_DEFERRALS) return null;
  return {
    queue: 'locations-sync',
    body: { ...body, deferrals } satisfies LocationsSyncTrigger,
    messageId: deferredLocationsSyncMessageId(body.cluster, body.syncId, deferrals),
    sessionId: body.cluster,
    scheduledEnqueueTimeUtc: new Date(now + DEFER_MS),
  };
}
