// Consumes the cluster's session of the k8s-actions queue and applies each action in order. The
// session makes this replica the only one applying the cluster's actions; the other replica waits
// for the session. Order matters (an AddFinalizer must not overtake the RemoveFinalizer after it),
// so after a transient failure the failed message and every later one of the batch are abandoned
// and come back in order. Unusable messages are dead-lettered with the reason, never retried.
import type { ServiceBusClient, ServiceBusReceivedMessage, ServiceBusSessionReceiver } from '@azure/service-bus';
import { parseKubernetesActionMessage } from '../../shared/messages/parseMessage.ts';
import type { Logger } from '../log.ts';
import { errorText } from '../log.ts';
import { pause } from '../pause.ts';
import type { ActionOutcome, KubeWriter } from './kubeWriter.ts';

export const ACTIONS_QUEUE = 'k8s-actions';

export interface ActionConsumerOptions {
  readonly client: ServiceBusClient;
  readonly cluster: string;
  readonly writer: KubeWriter;
  readonly log: Logger;
  readonly maxBatch?: number | undefined;
  /** How long one receive waits for messages. */
  readonly receiveWaitMs?: number | undefined;
  /** The session is released and accepted again after this long, so a stuck lock cannot last. */
  readonly sessionHoldMs?: number | undefined;
  readonly retryDelayMs?: number | undefined;
  readonly onOutcome?: ((action: string, outcome: ActionOutcome['result'] | 'deadLettered' | 'retry') => void) | undefined;
}

export class ActionConsumer {
  private readonly o: ActionConsumerOptions;
  private stopped = false;
  private receiver: ServiceBusSessionReceiver | null = null;
  private applying = false;
  private loop: Promise<void> | null = null;
  private readonly stopping = new AbortController();

  constructor(options: ActionConsumerOptions) {
    this.o = options;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Finishes the action in flight, then releases the session. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    // An idle receive is cut short; an action being applied is finished first (the loop closes then).
    if (!this.applying) await this.receiver?.close().catch(() => undefined);
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.holdSession();
      } catch (e) {
        if (this.stopped) break;
        const busy = e instanceof Error && 'code' in e && (e.code === 'SessionCannotBeLocked' || e.code === 'ServiceTimeout');
        if (busy) this.o.log.debug('k8s-actions session held elsewhere; waiting', { cluster: this.o.cluster });
        else this.o.log.warn('k8s-actions receiver failed; retrying', { cluster: this.o.cluster, error: errorText(e) });
        await pause(this.o.retryDelayMs ?? 2_000, this.stopping.signal);
      }
    }
  }

  private async holdSession(): Promise<void> {
    const hold = this.o.sessionHoldMs ?? 60_000;
    const receiver = await this.o.client.acceptSession(ACTIONS_QUEUE, this.o.cluster, { receiveMode: 'peekLock', maxAutoLockRenewalDurationInMs: hold + 60_000 });
    this.receiver = receiver;
    const since = Date.now();
    try {
      while (!this.stopped && Date.now() - since < hold) {
        const messages = await receiver.receiveMessages(this.o.maxBatch ?? 32, { maxWaitTimeInMs: this.o.receiveWaitMs ?? 5_000 });
        if (messages.length === 0) continue;
        this.applying = true;
        const failedAt = await this.applyInOrder(receiver, messages).finally(() => (this.applying = false));
        if (failedAt >= 0) {
          for (const m of messages.slice(failedAt)) await receiver.abandonMessage(m);
          await pause(this.o.retryDelayMs ?? 2_000, this.stopping.signal);
        }
      }
    } finally {
      this.receiver = null;
      await receiver.close();
    }
  }

  /** Applies the messages in order; returns the index of the first transient failure, or -1. */
  private async applyInOrder(receiver: ServiceBusSessionReceiver, messages: readonly ServiceBusReceivedMessage[]): Promise<number> {
    for (const [i, m] of messages.entries()) {
      const parsed = parseKubernetesActionMessage(m.body);
      const reason = !parsed.ok ? parsed.reason : parsed.value.cluster !== this.o.cluster ? `cluster: "${parsed.value.cluster}" is not this forwarder's cluster "${this.o.cluster}"` : null;
      if (!parsed.ok || reason !== null) {
        this.o.log.warn('unusable k8s-actions message; dead-lettering', { messageId: String(m.messageId), reason });
        await receiver.deadLetterMessage(m, { deadLetterReason: 'InvalidMessage', deadLetterErrorDescription: (reason ?? 'invalid').slice(0, 1024) });
        this.o.onOutcome?.('invalid', 'deadLettered');
        continue;
      }
      const action = parsed.value.action;
      const fields = { cluster: this.o.cluster, action: action.kind, target: `${action.target.kind}/${action.target.namespace}/${action.target.name}`, uid: action.target.uid };
      try {
        const outcome = await this.o.writer.apply(action);
        await receiver.completeMessage(m);
        this.o.onOutcome?.(action.kind, outcome.result);
        if (outcome.result === 'refused') this.o.log.warn('Kubernetes refused an action', { ...fields, detail: outcome.detail });
        else this.o.log.info('applied action', { ...fields, result: outcome.result });
      } catch (e) {
        this.o.onOutcome?.(action.kind, 'retry');
        this.o.log.warn('action failed; will retry in order', { ...fields, error: errorText(e), deliveryCount: m.deliveryCount ?? 0 });
        return i;
      }
    }
    return -1;
  }
}
