// engine: the single writer of a cluster's engine state. One session (= one cluster) at a time,
// a batch of events per invocation: parse, load, decide, send, persist; the host completes the
// messages only after this returns. Sending before saving means a crash in between resends the
// same messages (same ids: duplicate detection drops them) instead of losing them (ADR 0005).
import { app } from '@azure/functions';
import type { InvocationContext } from '@azure/functions';
import { decide } from '../shared/engine/decide.ts';
import type { EngineEvent, EngineObservation } from '../shared/engine/types.ts';
import { parseEngineMessage } from '../shared/messages/parseMessage.ts';
import { toOutgoingMessages } from '../shared/messages/toOutgoingMessages.ts';
import { isStateConflictError } from '../shared/state/stateStore.ts';
import { dependencies } from './dependencies.ts';
import type { Dependencies } from './dependencies.ts';
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

/** The whole invocation, independent of the Functions host. */
export async function applyEngineBatch(deps: Dependencies, cluster: string, received: readonly ReceivedMessage[]): Promise<EngineBatchResult> {
  const events: EngineEvent[] = [];
  const rejected: Rejection[] = [];
  for (const m of received) {
    const parsed = parseEngineMessage(m.body);
    if (!parsed.ok) rejected.push({ message: m, reason: parsed.reason });
    else if (parsed.value.cluster !== cluster) rejected.push({ message: m, reason: `cluster: message is for "${parsed.value.cluster}" but arrived on session "${cluster}"` });
    else events.push(parsed.value.event);
  }
  for (let attempt = 1; ; attempt++) {
    const loaded = await deps.store.load(cluster);
    const now = deps.now();
    const decision = decide(loaded.state, events, { now, random: deps.random, config: deps.engineConfig });
    const outgoing = [...toOutgoingMessages(cluster, decision.commands, { now }), ...rejectionMessages(ENGINE_QUEUE, rejected, now)];
    await deps.sender.send(outgoing);
    try {
      await deps.store.save(loaded, decision.state);
    } catch (e) {
      // Another writer saved first: its state is the truth now; decide again on top of it.
      if (isStateConflictError(e) && attempt < MAX_CONFLICT_RETRIES) continue;
      throw e;
    }
    return { events: events.length, rejected, sent: outgoing.length, observations: decision.observations, attempts: attempt };
  }
}

export async function engineHandler(messages: unknown[], context: InvocationContext): Promise<void> {
  const received = receivedMessages(messages, context);
  const cluster = sessionIdOf(context);
  const started = Date.now();
  const result = await applyEngineBatch(await dependencies(), cluster, received);
  for (const r of result.rejected) {
    context.warn(JSON.stringify({ msg: 'message rejected', cluster, messageId: r.message.messageId, reason: r.reason }));
  }
  context.info(JSON.stringify({ msg: 'engine batch applied', cluster, events: result.events, rejected: result.rejected.length, sent: result.sent, attempts: result.attempts, durationMs: Date.now() - started }));
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
