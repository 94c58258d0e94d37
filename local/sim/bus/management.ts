// $cbs and $management request handling. Requests come in on the client's request link; the
// reply goes out on its reply link (the broker routes it). Here: request in, status and body out.
import {
  asString, decodeMessage, encodeMessage, isRecord, longToNumber, reorderGuidBytes, wrapLongArray,
} from './amqp.ts';
import type { AmqpMessage } from './amqp.ts';
import { prepareIncoming, toPeeked } from './messages.ts';
import type { MessageStore, Queue, SettleError, SettleResult } from './queue.ts';

export interface ManagementReply {
  readonly status: number;
  readonly description: string;
  readonly condition?: string | undefined;
  readonly body?: unknown;
}

export interface EntityRef {
  readonly queue: Queue;
  readonly store: MessageStore;
}

export interface ManagementContext {
  readonly now: number;
  readonly entity: EntityRef;
  /** Consumer id of our side of the receiver link named in `associated-link-name`. */
  holderOf(linkName: string | undefined): number | undefined;
}

export const OPERATION = {
  putToken: 'put-token',
  renewLock: 'com.microsoft:renew-lock',
  renewSessionLock: 'com.microsoft:renew-session-lock',
  scheduleMessage: 'com.microsoft:schedule-message',
  cancelScheduledMessage: 'com.microsoft:cancel-scheduled-message',
  peekMessage: 'com.microsoft:peek-message',
  updateDisposition: 'com.microsoft:update-disposition',
} as const;

const ok = (body?: unknown, status = 200): ManagementReply => ({ status, description: 'OK', body });

const fail = (status: number, condition: string, description: string): ManagementReply => ({ status, condition, description });

function settleFailure(error: SettleError): ManagementReply {
  switch (error) {
    case 'lock-lost':
      return fail(410, 'com.microsoft:message-lock-lost',
        'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.');
    case 'session-lock-lost':
      return fail(410, 'com.microsoft:session-lock-lost', 'The session lock has expired on the MessageSession. Accept a new MessageSession.');
    case 'not-allowed':
      return fail(400, 'amqp:not-allowed', 'The operation is not allowed on this message.');
  }
}

/** What a throttled namespace answers: the request was not carried out; try again later. */
export const SERVER_BUSY: ManagementReply = fail(503, 'com.microsoft:server-busy', 'The server is busy. Please try again later.');

export function operationOf(request: AmqpMessage): string | undefined {
  const props = request.application_properties;
  return isRecord(props) ? asString(props.operation) : undefined;
}

/** `$cbs`: every put-token is accepted (the broker does not check SAS signatures). */
export function handleCbs(request: AmqpMessage): ManagementReply {
  const op = operationOf(request);
  if (op !== OPERATION.putToken) return fail(501, 'amqp:not-implemented', `CBS operation '${op ?? ''}' is not supported`);
  return { status: 202, description: 'Accepted' };
}

function tokensOf(body: Record<string, unknown>): string[] | undefined {
  const raw = body['lock-tokens'];
  if (!Array.isArray(raw)) return undefined;
  const out: string[] = [];
  for (const t of raw as unknown[]) {
    if (!Buffer.isBuffer(t)) return undefined;
    // Management requests carry lock tokens in .NET Guid order; the model keys locks by delivery tag.
    out.push(reorderGuidBytes(t).toString('hex'));
  }
  return out;
}

function sequenceNumbersOf(body: Record<string, unknown>): number[] | undefined {
  const raw = body['sequence-numbers'];
  if (!Array.isArray(raw)) return undefined;
  const out: number[] = [];
  for (const s of raw as unknown[]) {
    const n = longToNumber(s);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

export function handleManagement(request: AmqpMessage, ctx: ManagementContext): ManagementReply {
  const op = operationOf(request);
  const body = isRecord(request.body) ? request.body : {};
  const props = isRecord(request.application_properties) ? request.application_properties : {};
  const { queue, store } = ctx.entity;
  const now = ctx.now;
  const badRequest = (what: string): ManagementReply => fail(400, 'com.microsoft:argument-error', `${op ?? 'request'}: ${what}`);

  switch (op) {
    case OPERATION.renewLock: {
      const tokens = tokensOf(body);
      if (!tokens) return badRequest('lock-tokens missing');
      const expirations: Date[] = [];
      for (const token of tokens) {
        const r = queue.renewLock(store, token, now);
        if (!r.ok) return settleFailure(r.error);
        expirations.push(new Date(r.until));
      }
      return ok({ expirations });
    }

    case OPERATION.renewSessionLock: {
      const sessionId = asString(body['session-id']);
      if (sessionId === undefined) return badRequest('session-id missing');
      const holder = ctx.holderOf(asString(props['associated-link-name']));
      const lock = queue.sessions.renew(sessionId, holder, now + queue.config.lockDurationMs, now);
      if (!lock) return settleFailure('session-lock-lost');
      return ok({ expiration: new Date(lock.until) });
    }

    case OPERATION.scheduleMessage: {
      if (store !== queue.main) return fail(400, 'amqp:not-allowed', 'Cannot schedule messages on a sub-queue.');
      const entries = body.messages;
      if (!Array.isArray(entries)) return badRequest('messages missing');
      const prepared = [];
      for (const entry of entries as unknown[]) {
        const encoded = isRecord(entry) ? entry.message : undefined;
        if (!Buffer.isBuffer(encoded)) return badRequest('message is not binary');
        const p = prepareIncoming(decodeMessage(encoded), queue.config.requiresSession);
        if (!p.ok) return fail(400, p.error.condition, p.error.description);
        prepared.push(p.message);
      }
      const sequenceNumbers = prepared.map((m) => {
        const stored = queue.enqueue(m, now);
        // A duplicate is dropped but the caller still gets a (never scheduled) sequence number.
        return stored ? stored.sequenceNumber : queue.main.allocateSequence();
      });
      return ok({ 'sequence-numbers': wrapLongArray(sequenceNumbers) });
    }

    case OPERATION.cancelScheduledMessage: {
      if (store !== queue.main) return fail(400, 'amqp:not-allowed', 'Cannot cancel messages on a sub-queue.');
      const seqs = sequenceNumbersOf(body);
      if (!seqs) return badRequest('sequence-numbers missing');
      // Unknown or already enqueued sequence numbers are ignored.
      for (const s of seqs) queue.main.cancelScheduled(s);
      return ok();
    }

    case OPERATION.peekMessage: {
      const from = longToNumber(body['from-sequence-number']) ?? 1;
      const count = typeof body['message-count'] === 'number' ? body['message-count'] : 1;
      const sessionId = asString(body['session-id']);
      const found = store.peek(from, count, sessionId);
      const messages = found.map((m) => ({ message: encodeMessage(toPeeked(m, store.isScheduled(m))) }));
      return ok({ messages }, messages.length ? 200 : 204);
    }

    case OPERATION.updateDisposition: {
      const tokens = tokensOf(body);
      const status = asString(body['disposition-status']);
      if (!tokens || status === undefined) return badRequest('lock-tokens or disposition-status missing');
      const modify = isRecord(body['properties-to-modify']) ? body['properties-to-modify'] : undefined;
      for (const token of tokens) {
        let r: SettleResult;
        if (status === 'completed') r = queue.complete(store, token, undefined, now);
        else if (status === 'abandoned') r = queue.abandon(store, token, undefined, now, modify);
        else if (status === 'suspended') {
          r = queue.deadLetter(store, token, undefined, now,
            asString(body['deadletter-reason']), asString(body['deadletter-description']), modify);
        } else return fail(501, 'amqp:not-implemented', `disposition '${status}' (deferral) is not supported`);
        if (!r.ok) return settleFailure(r.error);
      }
      return ok();
    }

    default:
      return fail(501, 'amqp:not-implemented', `management operation '${op ?? ''}' is not supported by the test broker`);
  }
}
