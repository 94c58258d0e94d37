// locations: the single writer of updateAddressLocations. A trigger names the sync the engine
// started (its requests are in the stored state); the requests go out in order, and what NRP
// acknowledged goes back to the engine. The same queue carries requests to read NRP; a timer
// asks for such a read now and then, to repair drift. Each read also lists this engine's tagged
// Azure resources of the cluster, so the engine can delete orphans (docs/adr/0013).
import { app } from '@azure/functions';
import type { InvocationContext, Timer } from '@azure/functions';
import { isNetworkError } from '../shared/azure/networkProvider.ts';
import { classifyArmError } from '../shared/azure/classifyArmError.ts';
import type { NetworkProvider } from '../shared/azure/networkProvider.ts';
import { listingParts } from '../shared/engine/listingParts.ts';
import { driftParts, nrpDrift } from '../shared/engine/nrpDrift.ts';
import type { EngineEvent, ManagedResource, SyncFailure } from '../shared/engine/types.ts';
import { MESSAGE_VERSION } from '../shared/messages/envelopes.ts';
import type { LocationsSyncMessage, ObserveNrpRequest } from '../shared/messages/envelopes.ts';
import { observeNrpMessageId } from '../shared/messages/messageIds.ts';
import { parseLocationsSyncMessage } from '../shared/messages/parseMessage.ts';
import { toEngineEventMessage } from '../shared/messages/toEngineEventMessage.ts';
import type { EngineLog, EngineLogFields } from '../shared/telemetry/engineLog.ts';
import { inInvocationSpan } from '../shared/telemetry/invocationSpan.ts';
import { awaitSync, deferredTrigger } from './awaitSync.ts';
import { dependencies, telemetryOf } from './dependencies.ts';
import type { Dependencies } from './dependencies.ts';
import { invocationLog } from './invocationLog.ts';
import { receivedMessage, type ReceivedMessage, rejectionMessages } from './received.ts';

export const LOCATIONS_QUEUE = 'locations-sync';
/** JSON characters per drift part: well inside a 256 KB message with its envelope. */
const DRIFT_PART_CHARS = 200_000;

function failureOf(e: unknown): SyncFailure {
  if (isNetworkError(e)) return { terminal: e.terminal, outcomeUnknown: e.outcomeUnknown, code: e.code, message: e.message.slice(0, 2_000) };
  return { terminal: false, outcomeUnknown: true, code: 'UnexpectedError', message: (e instanceof Error ? e.message : String(e)).slice(0, 2_000) };
}

export type LocationsResult =
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'stale'; readonly syncId: string }
  /** Triggered before the engine saved the sync: put back for later, or given up (the engine's sync timeout recovers). */
  | { readonly kind: 'deferred'; readonly syncId: string; readonly deferrals: number; readonly givenUp: boolean }
  | { readonly kind: 'synced'; readonly syncId: string; readonly applied: number; readonly failure: SyncFailure | null }
  | {
      readonly kind: 'observed';
      readonly services: number;
      readonly locations: number;
      readonly driftParts: number;
      /** This engine's Azure resources listed, and the parts they went in (0: the listing failed). */
      readonly azureResources: number;
      readonly azureParts: number;
      /** Why the Azure listing failed (the NRP read still went to the engine). */
      readonly azureListingError?: string | undefined;
    };

export interface LocationsOptions {
  /** Where the message's line goes (default: the telemetry's sink, else nowhere). */
  readonly log?: EngineLog | undefined;
}

export async function applyLocationsMessage(deps: Dependencies, received: ReceivedMessage, options: LocationsOptions = {}): Promise<LocationsResult> {
  const started = Date.now();
  const log = options.log ?? invocationLog(deps, undefined);
  const parsed = parseLocationsSyncMessage(received.body);
  if (!parsed.ok) {
    await deps.sender.send(rejectionMessages(LOCATIONS_QUEUE, [{ message: received, reason: parsed.reason }], deps.now()));
    log.warn('message rejected', { messageId: received.messageId, reason: parsed.reason });
    return { kind: 'rejected', reason: parsed.reason };
  }
  const body = parsed.value;
  const attributes = { 'engine.cluster': body.cluster };
  return inInvocationSpan(telemetryOf(deps).tracer, `${LOCATIONS_QUEUE} process`, { traceparents: [received.traceparent], attributes }, async (traceparent) => {
    const result = await applyLocationsBody(deps, body, traceparent);
    const fields = { cluster: body.cluster, ...resultFields(result), durationMs: Date.now() - started };
    if ((result.kind === 'deferred' && result.givenUp) || (result.kind === 'synced' && result.failure) || (result.kind === 'observed' && result.azureListingError)) {
      log.warn('locations message done', fields);
    }
    else log.info('locations message done', fields);
    return result;
  });
}

async function applyLocationsBody(deps: Dependencies, body: LocationsSyncMessage, traceparent: string | undefined): Promise<LocationsResult> {
  const network = deps.network;
  if (!network) throw new Error('locations: no network adapter is configured for this function app');
  if (body.observe === true) {
    const { state } = await deps.store.load(body.cluster);
    // The epoch is taken before reading NRP: a completion after it makes this read out of date.
    const nrpEpoch = state.nrpEpoch;
    const [services, locations, listed] = await Promise.all([network.listServices(), network.listAddressLocations(), managedResources(network, body.cluster)]);
    // Only what differs from the mirror goes to the engine, in parts that fit a message, so a read
    // of 100,000 addresses costs messages only where NRP drifted.
    const parts = driftParts(nrpDrift(state.nrp, services, locations), DRIFT_PART_CHARS);
    // After the drift (the session keeps the order): the engine judges orphans against the mirror as corrected.
    const listing = Array.isArray(listed) ? listingParts(nrpEpoch, listed, DRIFT_PART_CHARS) : [];
    const now = deps.now();
    const events: EngineEvent[] = [...parts.map((p, i): EngineEvent => ({ kind: 'NrpDriftObserved', nrpEpoch, ...p, final: i === parts.length - 1 })), ...listing];
    await deps.sender.send(events.map((e) => toEngineEventMessage(body.cluster, e, { now, traceparent })));
    const azure = Array.isArray(listed) ? { azureResources: listed.length, azureParts: listing.length } : { azureResources: 0, azureParts: 0, azureListingError: listed.error };
    return { kind: 'observed', services: services.length, locations: locations.length, driftParts: parts.length, ...azure };
  }

  const found = await awaitSync(async () => (await deps.store.load(body.cluster)).state, body.syncId);
  if (found.kind === 'stale') return { kind: 'stale', syncId: body.syncId };
  if (found.kind === 'notSavedYet') {
    const later = deferredTrigger(body, deps.now());
    if (later) await deps.sender.send([later]);
    return { kind: 'deferred', syncId: body.syncId, deferrals: body.deferrals ?? 0, givenUp: later === null };
  }
  const flight = found.flight;
  let applied = 0;
  let failure: SyncFailure | null = null;
  for (const request of flight.requests) {
    try {
      await network.updateAddressLocations(request);
      applied++;
    } catch (e) {
      failure = failureOf(e);
      break;
    }
  }
  if (failure === null && body.observedAt !== undefined) telemetryOf(deps).nrp.recordEventLatency('updateAddressLocations', Date.parse(body.observedAt), deps.now());
  const event: EngineEvent = { kind: 'LocationsSyncCompleted', syncId: flight.syncId, applied, failure };
  await deps.sender.send([toEngineEventMessage(body.cluster, event, { now: deps.now(), traceparent })]);
  return { kind: 'synced', syncId: flight.syncId, applied, failure };
}

/**
 * This engine's resources of the cluster, or why they could not be listed. A failed listing does
 * not hold the NRP read back: the engine asks again (or the next backstop read lists).
 */
async function managedResources(network: NetworkProvider, cluster: string): Promise<ManagedResource[] | { readonly error: string }> {
  try {
    return await network.listManagedResources(cluster);
  } catch (e) {
    return { error: classifyArmError(e).code };
  }
}

/** The backstop: ask for a read of NRP (and a listing of Azure) for every cluster this app serves. */
export async function requestObservations(deps: Dependencies, reason: string): Promise<number> {
  const now = deps.now();
  const messages = deps.clusters.map((cluster) => {
    const body: ObserveNrpRequest = { v: MESSAGE_VERSION, cluster, observe: true, reason };
    return { queue: LOCATIONS_QUEUE, body, messageId: observeNrpMessageId(cluster, now), sessionId: cluster } as const;
  });
  await deps.sender.send(messages);
  return messages.length;
}

/** A result as log fields: scalars only, a sync's failure by its code. */
function resultFields(result: LocationsResult): EngineLogFields {
  if (result.kind !== 'synced') return { ...result };
  const { failure, ...rest } = result;
  return { ...rest, status: failure ? 'failure' : 'success', errorCode: failure?.code, terminal: failure?.terminal, outcomeUnknown: failure?.outcomeUnknown };
}

export async function locationsHandler(message: unknown, context: InvocationContext): Promise<void> {
  const deps = await dependencies();
  await applyLocationsMessage(deps, receivedMessage(message, context), { log: invocationLog(deps, context) });
}

export async function locationsTimerHandler(timer: Timer, context: InvocationContext): Promise<void> {
  const deps = await dependencies();
  const n = await requestObservations(deps, timer.isPastDue ? 'periodic read (past due)' : 'periodic read');
  invocationLog(deps, context).info('NRP reads requested', { clusters: n });
}

app.serviceBusQueue('locations', {
  connection: 'ServiceBusConnection',
  queueName: LOCATIONS_QUEUE,
  // One session per cluster: exactly one writer of the cluster's address locations at a time.
  isSessionsEnabled: true,
  handler: locationsHandler,
});

app.timer('locationsBackstop', {
  // Every five minutes: reads are cheap (10,000 per 5 min per subscription) but not free.
  schedule: '0 */5 * * * *',
  runOnStartup: false,
  handler: locationsTimerHandler,
});
