// The engine's commands as messages: service operations to service-ops, sync triggers and NRP
// reads to locations-sync, Kubernetes actions to the forwarder's session, wake-ups as scheduled
// Ticks to the engine's own session. Pure: the same commands and context give the same messages.
import type { EngineCommand } from '../engine/types.ts';
import type { OutgoingMessage } from './outgoing.ts';
import { checkOutgoingMessage } from './checkOutgoingMessage.ts';
import type { EngineEventMessage, KubernetesActionMessage, LocationsSyncMessage, ServiceOpMessage } from './envelopes.ts';
import { MESSAGE_VERSION } from './envelopes.ts';
import type { MessageContext } from './messageContext.ts';
import { checkContext, observedAtField, traceProperties } from './messageContext.ts';
import {
  kubernetesActionMessageId,
  locationsSyncMessageId,
  observeNrpMessageId,
  serviceOperationMessageId,
  wakeMessageId,
} from './messageIds.ts';

function sameCluster(cluster: string, of: string, what: string): void {
  if (of !== cluster) throw new Error(`${what} is for cluster "${of}", not "${cluster}"`);
}

function toMessage(cluster: string, command: EngineCommand, ctx: MessageContext): OutgoingMessage {
  const trace = traceProperties(ctx);
  switch (command.kind) {
    case 'DispatchServiceOperation': {
      const { operation } = command;
      sameCluster(cluster, operation.cluster, `operation ${operation.dispatchId}`);
      const body: ServiceOpMessage = { v: MESSAGE_VERSION, operation, ...observedAtField(ctx) };
      return { queue: 'service-ops', body, messageId: serviceOperationMessageId(cluster, operation.dispatchId), ...trace };
    }
    case 'SyncLocations': {
      const { sync } = command;
      sameCluster(cluster, sync.cluster, `sync ${sync.syncId}`);
      // The requests stay in the stored state: the locations function reads them from there.
      const body: LocationsSyncMessage = { v: MESSAGE_VERSION, cluster, syncId: sync.syncId, ...observedAtField(ctx) };
      return { queue: 'locations-sync', body, messageId: locationsSyncMessageId(cluster, sync.syncId), sessionId: cluster, ...trace };
    }
    case 'ObserveNrp': {
      const body: LocationsSyncMessage = { v: MESSAGE_VERSION, cluster, observe: true, reason: command.reason };
      return { queue: 'locations-sync', body, messageId: observeNrpMessageId(cluster, ctx.now), sessionId: cluster, ...trace };
    }
    case 'PatchServiceStatus':
    case 'AddFinalizer':
    case 'RemoveFinalizer':
    case 'RecordKubernetesEvent': {
      const body: KubernetesActionMessage = { v: MESSAGE_VERSION, cluster, action: command };
      return { queue: 'k8s-actions', body, messageId: kubernetesActionMessageId(cluster, command), sessionId: cluster, ...trace };
    }
    case 'WakeAt': {
      const body: EngineEventMessage = {
        v: MESSAGE_VERSION,
        cluster,
        event: { kind: 'Tick' },
        ...(ctx.traceparent === undefined ? {} : { traceparent: ctx.traceparent }),
      };
      return {
        queue: 'engine-events',
        body,
        messageId: wakeMessageId(cluster, command.at),
        sessionId: cluster,
        scheduledEnqueueTimeUtc: new Date(command.at),
        ...trace,
      };
    }
  }
}

/**
 * One message per command, in command order, each checked against its queue's schema and limits
 * (a command that cannot be sent throws: it is a bug, not bad input). A message whose id repeats
 * an earlier one in the list is the same message and is left out.
 */
export function toOutgoingMessages(cluster: string, commands: readonly EngineCommand[], ctx: MessageContext): OutgoingMessage[] {
  checkContext(ctx);
  const out: OutgoingMessage[] = [];
  const seen = new Set<string>();
  for (const command of commands) {
    const message = checkOutgoingMessage(toMessage(cluster, command, ctx));
    const key = `${message.queue}\n${message.messageId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(message);
  }
  return out;
}
