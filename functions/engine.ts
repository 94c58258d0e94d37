// engine: the single writer of a cluster's engine state. One session (= one cluster) at a time,
// a batch of events per invocation: parse, load, decide, send, persist; the host completes the
// messages only after this returns. Sending before saving means a crash in between resends the
// same messages (same ids: duplicate detection drops them) instead of losing them (ADR 0005).
import { app } from '@azure/functions';
import type { InvocationContext } from '@azure/functions';
import { decide } from '../shared/engine/decide.ts';
import type { ClusterState, DecideContext, Decision, EngineEvent, EngineObservation } from '../shared/engine/types.ts';
import type { EngineEventMessage } from '../shared/messages/envelopes.ts';
import { unpackEngineMessage } from '../shared/messages/unpackEngineMessage.ts';
import { toOutgoingMessages } from '../shared/messages/toOutgoingMessages.ts';
import { oversizeRows, withholdOversize } from '../shared/state/stateLimits.ts';
import { StateLimitError } from '../shared/state/stateRows.ts';
import { isStateConflictError } from '../shared/state/stateStore.ts';
import { logObservation } from '../shared/telemetry/decisionLog.ts';
import type { EngineLog } from '../shared/telemetry/engineLog.ts';
import { inInvocationSpan } from '../shared/telemetry/invocationSpan.ts';
import { dependencies, telemetryOf } from './dependencies.ts';
import type { Dependencies } from './dependencies.ts';
import { invocationLog } from './invocationLog.ts';
import { receivedMessages, type ReceivedMessage, type Rejection, rejectionMessages } from './received.ts';

export const ENGINE_QUEUE = 'engine-events';
const MAX_CONFLICT_RETRIES = 5;

export interface EngineBatchResult {
  readonly events: number;
  readonly rejected: readonly Rejection[];
  readonly sent: number;
  readonly observations: readonly EngineObservation[];
  /** Loads it took (more than one when another writer saved in between). */
  readonly attempts: number;
}

export interface EngineBatchOptions {
  /** Where the batch's lines go (default: the telemetry's sink, else nowhere). */
  readonly log?: EngineLog | undefined;
}

/** Events that report what the forwarder saw in Kubernetes, whose observation time starts a change's latency. */
const KUBERNETES_FACTS: ReadonlySet<EngineEvent['kind']> = new Set(['ServiceUpserted', 'EndpointSliceUpserted', 'NodeUpserted', 'PodUpserted', 'ObjectDeleted', 'KubernetesSynced']);

interface ParsedBatch {
  readonly events: EngineEvent[];
  readonly rejected: Rejection[];
  readonly traceparents: (string | undefined)[];
  /** The oldest observation of a Kubernetes change in the batch (epoch ms). */
  readonly observedAt: number | undefined;
}

/**
 * The batch's events in order, a pack unpacked in place: a pack whose envelope is unusable is
 * rejected whole, a bad entry of a good pack alone (as `<messageId>#<index>`, ADR 0024).
 */
function parseBatch(cluster: string, received: readonly ReceivedMessage[]): ParsedBatch {
  const events: EngineEvent[] = [];
  const rejected: Rejection[] = [];
  const traceparents: (string | undefined)[] = [];
  let observedAt: number | undefined;
  const take = (m: ReceivedMessage, value: EngineEventMessage): void => {
    const { event } = value;
    events.push(event);
    traceparents.push(value.traceparent ?? m.traceparent);
    const at = value.observedAt === undefined ? NaN : Date.parse(value.observedAt);
    if (KUBERNETES_FACTS.has(event.kind) && Number.isSafeInteger(at) && at >= 0) observedAt = Math.min(observedAt ?? at, at);
  };
  for (const m of received) {
    const unpacked = unpackEngineMessage(m.body);
    if (!unpacked.ok) rejected.push({ message: m, reason: unpacked.reason });
    else if (unpacked.value.cluster !== cluster) rejected.push({ message: m, reason: `cluster: message is for "${unpacked.value.cluster}" but arrived on session "${cluster}"` });
    else {
      for (const entry of unpacked.value.entries) {
        if (entry.ok) take(m, entry.value);
        else rejected.push({ message: { ...m, body: entry.body, messageId: `${m.messageId}#${entry.index}` }, reason: entry.reason });
      }
    }
  }
  return { events, rejected, traceparents, observedAt };
}

/**
 * decide(), but a Kubernetes object whose state row could never be saved is withheld instead of
 * failing the whole batch (and, redelivered, every batch after it): the decision is taken again
 * with that upsert replaced by ObjectWithheld, so the rest of the batch goes through.
 */
function decideWithinLimits(state: ClusterState, events: readonly EngineEvent[], ctx: DecideContext): Decision {
  const decision = decide(state, events, ctx);
  const oversize = oversizeRows(state, decision.state);
  if (oversize.length === 0) return decision;
  const withheld = withholdOversize(events, oversize);
  if (withheld === null) throw new StateLimitError(`the engine's own rows outgrew Table Storage: ${oversize.map((v) => `${v.rowKey} (${v.chars})`).join(', ')}`, oversize.map((v) => v.rowKey));
  return decide(state, withheld, ctx);
}

/** The whole invocation, independent of the Functions host. */
export async function applyEngineBatch(deps: Dependencies, cluster: string, received: readonly ReceivedMessage[], options: EngineBatchOptions = {}): Promise<EngineBatchResult> {
  const telemetry = telemetryOf(deps);
  const log = (options.log ?? invocationLog(deps, undefined)).with({ cluster });
  const started = Date.now();
  const { events, rejected, traceparents, observedAt } = parseBatch(cluster, received);
  const attributes = { 'engine.cluster': cluster, 'messaging.batch.message_count': received.length };
  return inInvocationSpan(telemetry.tracer, `${ENGINE_QUEUE} process`, { traceparents, attributes }, async (traceparent) => {
    for (const r of rejected) log.warn('message rejected', { messageId: r.message.messageId, reason: r.reason });
    for (let attempt = 1; ; attempt++) {
      const loaded = await deps.store.load(cluster);
      const now = deps.now();
      const decision = decideWithinLimits(loaded.state, events, { now, random: deps.random, config: deps.engineConfig });
      const outgoing = [...toOutgoingMessages(cluster, decision.commands, { now, traceparent, observedAt }), ...rejectionMessages(ENGINE_QUEUE, rejected, now)];
      await deps.sender.send(outgoing);
      try {
        await deps.store.save(loaded, decision.state);
      } catch (e) {
        // Another writer saved first: its state is the truth now; decide again on top of it.
        if (isStateConflictError(e) && attempt < MAX_CONFLICT_RETRIES) continue;
        throw e;
      }
      telemetry.engine.recordCommit(cluster, loaded.state, decision);
      for (const o of decision.observations) logObservation(log, o, loaded.state, decision.state);
      log.info('engine batch applied', { events: events.length, rejected: rejected.length, sent: outgoing.length, attempts: attempt, durationMs: Date.now() - started });
      return { events: events.length, rejected, sent: outgoing.length, observations: decision.observations, attempts: attempt };
    }
  });
}

export async function engineHandler(messages: unknown[], context: InvocationContext): Promise<void> {
  const deps = await dependencies();
  await applyEngineBatch(deps, sessionIdOf(context), receivedMessages(messages, context), { log: invocationLog(deps, context) });
}

function sessionIdOf(context: InvocationContext): string {
  const meta: Record<string, unknown> = context.triggerMetadata ?? {};
  const ids = meta.sessionIdArray;
  const id: unknown = meta.sessionId ?? (Array.isArray(ids) ? (ids as unknown[])[0] : undefined);
  if (typeof id !== 'string' || id.length === 0) throw new Error('engine: the trigger gave no sessionId; the engine-events queue must be session-enabled');
  return id;
}

app.serviceBusQueue('engine', {
  connection: 'ServiceBusConnection',
  queueName: ENGINE_QUEUE,
  isSessionsEnabled: true,
  cardinality: 'many',
  handler: engineHandler,
});
