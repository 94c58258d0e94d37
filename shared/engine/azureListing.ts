// Listings of this engine's Azure resources (the backstop's read, docs/adr/0013): taken in only
// when they can be trusted, i.e. every Kubernetes kind was listed once (absence means gone), NRP
// was read (the mirror is NRP) and no operation completed since the listing was taken (it would
// show what that operation just deleted). The first whole listing taken in also opens the Service
// finalizer gate: "nothing of it is left" is then known of Azure, not only of NRP.
import { orphansIn, scheduleOrphanDeletion } from './azureOrphans.ts';
import type { Draft } from './draft.ts';
import { ALL_KINDS } from './locationsSync.ts';
import type { AzureListingState, EngineEvent, EngineObservation } from './types.ts';

type Listing = Extract<EngineEvent, { kind: 'AzureResourcesObserved' }>;
type IgnoredReason = Extract<EngineObservation, { kind: 'AzureListingIgnored' }>['reason'];
type Unlisted = Extract<AzureListingState, { state: 'unlisted' }>;

function untrusted(d: Draft, e: Listing): IgnoredReason | null {
  if (!ALL_KINDS.every((k) => d.kubeSynced.has(k))) return 'kubernetesNotListed';
  if (d.sync.nrpRead.state === 'unread') return 'nrpUnread';
  if (e.nrpEpoch !== d.nrpEpoch) return 'completedSinceListing';
  return null;
}

function setUnlisted(d: Draft, listing: Unlisted, patch: Partial<Omit<Unlisted, 'state'>>): void {
  d.azure = { ...d.azure, listing: { ...listing, ...patch } };
}

function markListed(d: Draft): void {
  d.azure = { ...d.azure, listing: { state: 'listed' } };
  // Service finalizers held for it are looked at again.
  for (const name of d.kubeServices.keys()) d.touchedNames.add(name);
}

/**
 * Every part schedules the orphans it shows. Until a listing was taken in whole, the parts are
 * followed: one that was ignored (or went missing) breaks the chain, so a last part alone cannot
 * say "nothing else is left" of what the parts before it would have shown.
 */
export function applyAzureResources(d: Draft, e: Listing): void {
  const listing = d.azure.listing;
  const reason = untrusted(d, e);
  if (reason !== null) {
    d.observe({ kind: 'AzureListingIgnored', reason });
    // Until one is taken in, another is asked for as soon as it can be (requestAzureListing).
    if (listing.state === 'unlisted') setUnlisted(d, listing, { requestedAt: e.final === false ? listing.requestedAt : null, nextPart: e.final === false ? null : 0 });
    return;
  }
  for (const orphan of orphansIn(d, e.resources)) scheduleOrphanDeletion(d, orphan);
  if (listing.state === 'listed') return;
  const part = e.part ?? 0;
  const whole = part === 0 || listing.nextPart === part;
  if (e.final !== false) {
    if (whole) markListed(d);
    else setUnlisted(d, listing, { requestedAt: null, nextPart: 0 });
  } else {
    setUnlisted(d, listing, { nextPart: whole ? part + 1 : null });
  }
}

/**
 * Until a listing was taken in, asks for one (a read of NRP brings one), again if the last request
 * went unanswered for an operation timeout. After that the backstop's periodic reads bring them.
 */
export function requestAzureListing(d: Draft): void {
  const listing = d.azure.listing;
  if (listing.state === 'listed') return;
  const timeout = d.ctx.config.operationTimeoutMs;
  if (!d.commands.some((c) => c.kind === 'ObserveNrp')) {
    if (!ALL_KINDS.every((k) => d.kubeSynced.has(k)) || d.sync.nrpRead.state === 'unread') return;
    if (listing.requestedAt !== null && d.now < listing.requestedAt + timeout) {
      d.wake(listing.requestedAt + timeout);
      return;
    }
    d.emit({ kind: 'ObserveNrp', reason: 'first listing of Azure resources' });
  }
  setUnlisted(d, listing, { requestedAt: d.now });
  d.wake(d.now + timeout);
}
