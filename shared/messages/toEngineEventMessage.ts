// An event for the engine queue: what the forwarder observed in Kubernetes, or the completion of
// an operation or a sync, sent back to the cluster's session.
import type { EngineEvent } from '../engine/types.ts';
import type { OutgoingMessage } from './outgoing.ts';
import { checkOutgoingMessage } from './checkOutgoingMessage.ts';
import type { EngineEventMessage } from './envelopes.ts';
import { MESSAGE_VERSION } from './envelopes.ts';
import type { MessageContext } from './messageContext.ts';
import { checkContext, traceProperties } from './messageContext.ts';
import { engineEventMessageId } from './messageIds.ts';

export function toEngineEventMessage(cluster: string, event: EngineEvent, ctx: MessageContext): OutgoingMessage {
  checkContext(ctx);
  const body: EngineEventMessage = {
    v: MESSAGE_VERSION,
    cluster,
    event,
    observedAt: new Date(ctx.now).toISOString(),
    ...(ctx.traceparent === undefined ? {} : { traceparent: ctx.traceparent }),
  };
  return checkOutgoingMessage({
    queue: 'engine-events',
    body,
    messageId: engineEventMessageId(cluster, event, ctx.now),
    sessionId: cluster,
    ...traceProperties(ctx),
  });
}
