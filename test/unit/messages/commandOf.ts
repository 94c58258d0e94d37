// The engine command a sent message stands for, recovered from the message and its parsed body, so
// tests can compare what went out with what the engine asked for. A sync trigger carries no
// requests (they stay in the stored state), so its command comes back with none.
import type { EngineCommand } from '../../../shared/engine/types.ts';
import type { MessageBodies } from '../../../shared/messages/envelopes.ts';
import type { OutgoingMessage, QueueName } from '../../../shared/messages/outgoing.ts';

export function commandOf(message: OutgoingMessage, body: MessageBodies[QueueName]): EngineCommand {
  if ('operation' in body) return { kind: 'DispatchServiceOperation', operation: body.operation };
  if ('action' in body) return body.action;
  if ('event' in body) {
    if (body.event.kind !== 'Tick' || message.scheduledEnqueueTimeUtc === undefined) throw new Error(`${message.messageId} is not a wake-up`);
    return { kind: 'WakeAt', at: message.scheduledEnqueueTimeUtc.getTime() };
  }
  if ('events' in body) throw new Error(`${message.messageId} is a pack of Kubernetes changes, not a command`);
  if ('rejectedAt' in body) throw new Error(`${message.messageId} is a rejected message, not a command`);
  if (body.observe === true) return { kind: 'ObserveNrp', reason: body.reason };
  return { kind: 'SyncLocations', sync: { cluster: body.cluster, syncId: body.syncId, requests: [] } };
}
