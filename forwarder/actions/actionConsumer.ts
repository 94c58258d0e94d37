// Consumes the cluster's session of the k8s-actions queue and applies the engine's actions. The
// session makes this replica the only one applying the cluster's actions; the other replica waits
// for the session. Order matters only per object (an AddFinalizer must not overtake the
// RemoveFinalizer after it), so a batch is applied as one chain per object, the chains side by
// side: a failing object holds back only its own later actions. Answers that retrying cannot
// change (403, 404, 409 after the writer's conflict retries, 400, 422) complete the message with a
// warning and a metric; dead-lettering them after ten deliveries would only hide them. Transient
// failures are retried under the message lock within a budget; past it the message and its
// object's later ones are abandoned and come back in order. Unusable messages are dead-lettered.
// An action on an object the engine does not own is refused by the writer, logged, counted and
// completed: delivering it again would find the same object.
import type { ServiceBusClient, ServiceBusReceivedMessage, ServiceBusSessionReceiver } from '@azure/service-bus';
import { SessionLockKeeper } from '../../shared/bus/sessionLockKeeper.ts';
import type { KubernetesAction } from '../../shared/messages/kubernetesActionSchema.ts';
import { parseKubernetesActionMessage } from '../../shared/messages/parseMessage.ts';
import { KubeApiError } from '../kubeApi.ts';
import type { Logger } from '../log.ts';
import { errorText } from '../log.ts';
import { pause } from '../pause.ts';
import { chainsByKey, objectKey } from './actionChains.ts';
import type { ActionOutcome, KubeWriter } from './kubeWriter.ts';
import type { RefusalReason } from './ownership.ts';
import { retryWithin } from './retryWithin.ts';

export const ACTIONS_QUEUE = 'k8s-actions';

/** What became of a message: the writer's outcome, or one of the consumer's own. */
export type ActionReport = ActionOutcome['result'] | 'deadLettered' | 'retry' | 'abandoned';

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
  /** The wait after the receiver failed, and before the next receive after messages were given back. */
  readonly retryDelayMs?: number | undefined;
  /** How long after a batch arrived its transient failures are still retried under its lock. Default 60 s. */
  readonly retryBudgetMs?: number | undefined;
  /** The backoff between those retries doubles from this (default 250 ms)… */
  readonly backoffMinMs?: number | undefined;
  /** …up to this (default 10 s), plus jitter. */
  readonly backoffMaxMs?: number | undefined;
  /** Every outcome and every failed attempt (`retry`), by action kind: the metrics. */
  readonly onOutcome?: ((action: string, outcome: ActionReport) => void) | undefined;
  /** Each action refused because its object is not the engine's, by action kind and reason: `forwarder_actions_refused_total`. */
  readonly onRefused?: ((action: string, reason: RefusalReason) => void) | undefined;
  /**
   * Each action the writer settled, with its outcome, before its message is completed: what
   * Kubernetes now holds (the object after `applied` and `unchanged`), for the engine. An error it
   * throws is logged; the message is completed all the same.
   */
  readonly onResult?: ((action: KubernetesAction, outcome: ActionOutcome) => void) | undefined;
}

interface Item {
  readonly m: ServiceBusReceivedMessage;
  readonly action: KubernetesAction;
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

  /** Finishes the requests in flight, gives back what is unfinished, then releases the session. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    // An idle receive is cut short; a batch being applied ends its backoffs and closes the receiver itself.
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
    const budget = this.o.retryBudgetMs ?? 60_000;
    // Renewed long enough for a batch received just before the hold ends: its budget, and the requests then in flight.
    const renewal = hold + budget + 60_000;
    const receiver = await this.o.client.acceptSession(ACTIONS_QUEUE, this.o.cluster, { receiveMode: 'peekLock', maxAutoLockRenewalDurationInMs: 0 });
    this.receiver = receiver;
    const keeper = new SessionLockKeeper(receiver, { maxRenewalMs: renewal, log: (line) => this.o.log.warn('k8s-actions session lock', { cluster: this.o.cluster, detail: line }) });
    keeper.start();
    const since = Date.now();
    try {
      while (!this.stopped && Date.now() - since < hold) {
        const messages = await receiver.receiveMessages(this.o.maxBatch ?? 32, { maxWaitTimeInMs: this.o.receiveWaitMs ?? 5_000 });
        if (messages.length === 0) continue;
        this.applying = true;
        // No receive while a batch is held: a later action on an object could otherwise overtake one given back.
        const gaveBack = await this.applyBatch(receiver, messages, Date.now() + budget).finally(() => (this.applying = false));
        if (gaveBack) await pause(this.o.retryDelayMs ?? 2_000, this.stopping.signal);
      }
    } finally {
      keeper.stop();
      this.receiver = null;
      await receiver.close();
    }
  }

  /** Applies a batch chain by chain; true when some message was given back. */
  private async applyBatch(receiver: ServiceBusSessionReceiver, messages: readonly ServiceBusReceivedMessage[], deadline: number): Promise<boolean> {
    const items: Item[] = [];
    for (const m of messages) {
      const reason = this.unusable(m);
      if (typeof reason !== 'string') {
        items.push({ m, action: reason });
        continue;
      }
      this.o.log.warn('unusable k8s-actions message; dead-lettering', { messageId: String(m.messageId), reason });
      await receiver.deadLetterMessage(m, { deadLetterReason: 'InvalidMessage', deadLetterErrorDescription: reason.slice(0, 1024) });
      this.o.onOutcome?.('invalid', 'deadLettered');
    }
    const chains = chainsByKey(items, (i) => objectKey(i.action.target));
    const done = await Promise.allSettled(chains.map((chain) => this.applyChain(receiver, chain, deadline)));
    // A settlement failed (the link or the session lock is lost): what is unsettled comes back by itself.
    const failed = done.find((d): d is PromiseRejectedResult => d.status === 'rejected');
    if (failed) throw failed.reason;
    return done.some((d) => d.status === 'fulfilled' && d.value);
  }

  /** The message's action, or why it cannot be applied. */
  private unusable(m: ServiceBusReceivedMessage): KubernetesAction | string {
    const parsed = parseKubernetesActionMessage(m.body);
    if (!parsed.ok) return parsed.reason;
    if (parsed.value.cluster !== this.o.cluster) return `cluster: "${parsed.value.cluster}" is not this forwarder's cluster "${this.o.cluster}"`;
    return parsed.value.action;
  }

  /** One object's actions in order; from the first one not settled on, they are given back (true). */
  private async applyChain(receiver: ServiceBusSessionReceiver, chain: readonly Item[], deadline: number): Promise<boolean> {
    for (const [i, item] of chain.entries()) {
      const outcome = this.stopped ? null : await this.applyWithRetries(item.m, item.action, deadline);
      if (outcome === null) {
        await this.giveBack(receiver, chain.slice(i));
        return true;
      }
      this.o.onOutcome?.(item.action.kind, outcome.result);
      if (outcome.result === 'notOurs') this.o.onRefused?.(item.action.kind, outcome.reason);
      this.tell(item.action, outcome);
      this.logOutcome(item.action, outcome);
      await receiver.completeMessage(item.m);
    }
    return false;
  }

  /** The writer's outcome, or null when transient failures outlasted the budget or a stop came. */
  private async applyWithRetries(m: ServiceBusReceivedMessage, action: KubernetesAction, deadline: number): Promise<ActionOutcome | null> {
    const r = await retryWithin(() => this.o.writer.apply(action), {
      deadline,
      minMs: this.o.backoffMinMs ?? 250,
      maxMs: this.o.backoffMaxMs ?? 10_000,
      signal: this.stopping.signal,
      waitHintMs: (e) => (e instanceof KubeApiError && e.retryAfterSeconds !== undefined ? e.retryAfterSeconds * 1000 : undefined),
      onFailure: (e, failures, next) => {
        this.o.onOutcome?.(action.kind, 'retry');
        const fields = { ...this.fieldsOf(action), error: errorText(e), failures, deliveryCount: m.deliveryCount ?? 0 };
        this.o.log.warn(next === null ? 'action failed' : 'action failed; retrying', next === null ? fields : { ...fields, retryInMs: next });
      },
    });
    return r.ok ? r.value : null;
  }

  /** Hands the outcome to `onResult`; a hook that throws is logged, never a reason to apply the action again. */
  private tell(action: KubernetesAction, outcome: ActionOutcome): void {
    try {
      this.o.onResult?.(action, outcome);
    } catch (e) {
      this.o.log.error('onResult failed; the action stands', { ...this.fieldsOf(action), result: outcome.result, error: errorText(e) });
    }
  }

  /** Abandoned in order: they come back as they were, before any later message of the session. */
  private async giveBack(receiver: ServiceBusSessionReceiver, items: readonly Item[]): Promise<void> {
    const why = this.stopped ? 'stopping' : 'retry budget spent';
    for (const [i, item] of items.entries()) {
      await receiver.abandonMessage(item.m);
      this.o.onOutcome?.(item.action.kind, 'abandoned');
      this.o.log.warn(`action abandoned (${i === 0 ? why : 'held back behind it'}); it will be delivered again`, { ...this.fieldsOf(item.action), deliveryCount: item.m.deliveryCount ?? 0 });
    }
  }

  private logOutcome(action: KubernetesAction, outcome: ActionOutcome): void {
    const fields = { ...this.fieldsOf(action), result: outcome.result };
    if (outcome.result === 'refused' || outcome.result === 'forbidden' || outcome.result === 'conflict') {
      this.o.log.warn('Kubernetes refused an action for good; not retrying', { ...fields, status: outcome.status, reason: outcome.reason, detail: outcome.detail });
    } else if (outcome.result === 'notOurs') {
      this.o.log.warn('refused an action on an object the engine does not own; not applying it', { ...fields, reason: outcome.reason });
    } else {
      this.o.log.info('applied action', fields);
    }
  }

  private fieldsOf(action: KubernetesAction): { cluster: string; action: string; target: string; uid: string } {
    const t = action.target;
    return { cluster: this.o.cluster, action: action.kind, target: t.namespace === null ? `${t.kind}/${t.name}` : `${t.kind}/${t.namespace}/${t.name}`, uid: t.uid };
  }
}
