// The only module that touches rhea. rhea's typings are loose (`any` nearly everywhere), so every
// value that crosses this boundary is read as `unknown` and narrowed; the rest of the broker sees
// small typed views (OutgoingLink, IncomingLink, AmqpMessage).
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Server } from 'node:net';
import rhea from 'rhea';
import type { Connection, Delivery, EventContext, Receiver, Sender, Session, Source, TerminusOptions } from 'rhea';

/** A decoded AMQP message as rhea represents it: header and property fields flat, plus sections. */
export type AmqpMessage = Record<string, unknown>;

/** Error condition and description sent in a detach, a rejected outcome or a management reply. */
export interface AmqpErrorInfo {
  readonly condition: string;
  readonly description: string;
}

/** Message format of a Service Bus batch: data sections that each hold an encoded message. */
export const BATCH_MESSAGE_FORMAT = 0x80013700;

// ---------------------------------------------------------------- narrowing helpers

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A message id or correlation id as a string (rhea gives strings, numbers, Buffers or uuids). */
export function idToString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) return v.length === 16 ? rhea.uuid_to_string(v) : v.toString('hex');
  return undefined;
}

/** An AMQP long as decoded by rhea (a number when it fits 53 bits, else 8 big-endian bytes). */
export function longToNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Buffer.isBuffer(v) && v.length === 8) return Number(v.readBigInt64BE(0));
  return undefined;
}

function get(obj: unknown, key: string): unknown {
  return isRecord(obj) || typeof obj === 'function' ? (Reflect.get(obj, key) as unknown) : undefined;
}

// ---------------------------------------------------------------- encoding

export function encodeMessage(msg: AmqpMessage): Buffer {
  return rhea.message.encode(msg);
}

export function decodeMessage(buf: Buffer): AmqpMessage {
  const decoded: unknown = rhea.message.decode(buf);
  if (!isRecord(decoded)) throw new Error('undecodable AMQP message');
  // rhea attaches toJSON/toString helpers; keep only the data fields.
  const out: AmqpMessage = {};
  for (const [k, v] of Object.entries(decoded)) {
    if (typeof v !== 'function') out[k] = v;
  }
  return out;
}

/** The messages inside a batch envelope (format 0x80013700): each data section is one encoded message. */
export function unpackBatch(envelope: AmqpMessage): AmqpMessage[] {
  const body = envelope.body;
  const content = get(body, 'content');
  const parts: unknown[] = get(body, 'multiple') === true && Array.isArray(content) ? content : [content];
  return parts.map((p) => {
    if (!Buffer.isBuffer(p)) throw new Error('batch section is not binary');
    return decodeMessage(p);
  });
}

/** The body as the app sees it: JSON-decoded data section when possible. */
export function bodyForInspection(msg: AmqpMessage): unknown {
  const body = msg.body;
  const content = get(body, 'content');
  if (Buffer.isBuffer(content)) {
    const text = content.toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return content ?? body;
}

export function wrapLong(n: number): unknown {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(Math.trunc(n)));
  return rhea.types.wrap_long(b);
}

/** An AMQP array of longs (sequence numbers in management replies). */
export function wrapLongArray(ns: readonly number[]): unknown {
  const items = ns.map((n) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(Math.trunc(n)));
    return b;
  });
  return rhea.types.wrap_array(items, 0x81, undefined);
}

export function generateId(): string {
  return rhea.generate_uuid();
}

const DOTNET_EPOCH_TICKS = 621_355_968_000_000_000n;

/** A UTC instant as .NET ticks (100 ns since 0001-01-01), wrapped as an AMQP long. */
export function wrapDotnetTicks(ms: number): unknown {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(Math.trunc(ms)) * 10_000n + DOTNET_EPOCH_TICKS);
  return rhea.types.wrap_long(b);
}

export function newDeliveryTag(): Buffer {
  return randomBytes(16);
}

/**
 * The SDK turns a delivery tag into a lock token by swapping the first three groups into .NET Guid
 * byte order, and sends that order back in management requests. The swap is its own inverse.
 */
export function reorderGuidBytes(b: Buffer): Buffer {
  if (b.length !== 16) return b;
  const o = Buffer.from(b);
  o[0] = b[3] ?? 0; o[1] = b[2] ?? 0; o[2] = b[1] ?? 0; o[3] = b[0] ?? 0;
  o[4] = b[5] ?? 0; o[5] = b[4] ?? 0; o[6] = b[7] ?? 0; o[7] = b[6] ?? 0;
  return o;
}

// ---------------------------------------------------------------- outcomes

/**
 * A described outcome (accepted / rejected) for `delivery.update(true, …)`. rhea's typings do not
 * declare the outcome factories on `rhea.message`, so they are looked up and checked at runtime.
 */
function describedOutcome(kind: 'accepted' | 'rejected', error?: AmqpErrorInfo): unknown {
  const factory: unknown = Reflect.get(rhea.message, kind);
  if (typeof factory !== 'function') throw new Error(`rhea.message.${kind} is missing`);
  const outcome: unknown = Reflect.apply(factory, rhea.message, error ? [{ error: { condition: error.condition, description: error.description } }] : []);
  const described = get(outcome, 'described');
  if (typeof described !== 'function') throw new Error(`rhea outcome ${kind} cannot be described`);
  return Reflect.apply(described, outcome, []) as unknown;
}

function settleDelivery(d: Delivery, error?: AmqpErrorInfo): void {
  d.update(true, error ? describedOutcome('rejected', error) : describedOutcome('accepted'));
}

export type Outcome =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'released' }
  | { readonly kind: 'modified'; readonly undeliverableHere: boolean; readonly annotations: Record<string, unknown> }
  | { readonly kind: 'rejected'; readonly condition: string | undefined; readonly info: Record<string, unknown> };

function readOutcome(state: unknown): Outcome | undefined {
  const ctor = get(state, 'constructor');
  const kind = get(ctor, 'composite_type');
  if (kind === 'accepted') return { kind };
  if (kind === 'released') return { kind };
  if (kind === 'modified') {
    const ann = get(state, 'message_annotations');
    return { kind, undeliverableHere: get(state, 'undeliverable_here') === true, annotations: isRecord(ann) ? ann : {} };
  }
  if (kind === 'rejected') {
    const error = get(state, 'error');
    const info = get(error, 'info');
    return { kind, condition: asString(get(error, 'condition')), info: isRecord(info) ? info : {} };
  }
  return undefined;
}

// ---------------------------------------------------------------- link views

let nextLinkId = 1;

interface Terminus {
  readonly address: string | undefined;
  readonly filter: Record<string, unknown> | undefined;
}

function readTerminus(t: unknown): Terminus | undefined {
  if (!isRecord(t)) return undefined;
  const filter = t.filter;
  return { address: asString(t.address), filter: isRecord(filter) ? filter : undefined };
}

function localAttach(link: object): Record<string, unknown> {
  const attach = get(get(link, 'local'), 'attach');
  if (!isRecord(attach)) throw new Error('rhea link without local attach frame');
  return attach;
}

abstract class LinkView {
  readonly id = nextLinkId++;
  readonly connectionId: string;
  readonly name: string;
  readonly source: Terminus | undefined;
  readonly target: Terminus | undefined;
  readonly properties: Record<string, unknown>;
  protected readonly link: Sender | Receiver;
  protected readonly session: Session;
  closed = false;

  protected constructor(link: Sender | Receiver, connectionId: string) {
    this.link = link;
    this.session = link.session;
    this.connectionId = connectionId;
    this.name = link.name;
    this.source = readTerminus(link.source);
    this.target = readTerminus(link.target);
    const props: unknown = link.properties;
    this.properties = isRecord(props) ? props : {};
  }

  belongsTo(session: unknown): boolean {
    return this.session === session;
  }

  /**
   * Echoes source and target (address and filter; rhea hands us composite terminus objects, so
   * they are rebuilt from the fields we read) and adds our attach properties.
   */
  protected configureAttach(extra: { maxMessageSize?: number; properties?: Record<string, unknown>; filter?: Record<string, unknown> | null }): void {
    const attach = localAttach(this.link);
    if (this.source) {
      const filter = extra.filter === undefined ? this.source.filter : extra.filter;
      // rhea's terminus types demand an address; the echoed terminus is whatever the client sent.
      this.link.set_source({ address: this.source.address, ...(filter ? { filter } : {}) } as Source);
    }
    if (this.target) this.link.set_target({ address: this.target.address } as TerminusOptions);
    // Echo the settle modes: a receive-and-delete receiver asks for settled (1) deliveries.
    if (typeof this.link.snd_settle_mode === 'number') attach.snd_settle_mode = this.link.snd_settle_mode;
    if (typeof this.link.rcv_settle_mode === 'number') attach.rcv_settle_mode = this.link.rcv_settle_mode;
    if (extra.maxMessageSize !== undefined) attach.max_message_size = extra.maxMessageSize;
    if (extra.properties) attach.properties = extra.properties;
  }

  /** Detaches (closing) with an error; the client sees it as the link's error. */
  fail(error: AmqpErrorInfo): void {
    if (this.closed) return;
    this.closed = true;
    this.link.close({ condition: error.condition, description: error.description });
  }
}

/** A link on which we send: the client's receiver (message receivers, management reply links). */
export class OutgoingLink extends LinkView {
  private readonly sender: Sender;
  private held = false;

  constructor(sender: Sender, connectionId: string) {
    super(sender, connectionId);
    this.sender = sender;
  }

  /** The session filter the client asked for: absent, null/undefined (any session), or a session id. */
  get sessionFilter(): { readonly requested: false } | { readonly requested: true; readonly sessionId: string | undefined } {
    const f = this.source?.filter;
    if (!f || !Object.hasOwn(f, SESSION_FILTER)) return { requested: false };
    const v = f[SESSION_FILTER];
    return { requested: true, sessionId: asString(v) ?? asString(get(v, 'value')) };
  }

  /** True when the client receives in receive-and-delete mode (pre-settled deliveries). */
  get presettled(): boolean {
    return this.sender.snd_settle_mode === 1;
  }

  /** Accept the attach, echoing the terminus; optionally set session filter and session lock. */
  accept(opts: { sessionId?: string; lockedUntilMs?: number; maxMessageSize?: number } = {}): void {
    const props: Record<string, unknown> = {};
    if (opts.lockedUntilMs !== undefined) props['com.microsoft:locked-until-utc'] = wrapDotnetTicks(opts.lockedUntilMs);
    this.configureAttach({
      ...(opts.maxMessageSize !== undefined ? { maxMessageSize: opts.maxMessageSize } : {}),
      ...(opts.lockedUntilMs !== undefined ? { properties: props } : {}),
      ...(opts.sessionId !== undefined ? { filter: { [SESSION_FILTER]: opts.sessionId } } : {}),
    });
    this.resume();
  }

  /**
   * Refuse the attach the way Service Bus does: an attach without the requested session filter,
   * then a detach carrying the error.
   */
  refuse(error: AmqpErrorInfo): void {
    this.configureAttach({ filter: null });
    this.resume();
    this.fail(error);
  }

  /**
   * rhea answers an attach as soon as the event handler returns. Holding takes the pending local
   * attach back (rhea internals: EndpointState.local_open/open_requests) so that a
   * next-available-session request can wait for a session, as Service Bus does.
   */
  hold(): boolean {
    const state = get(this.sender, 'state');
    if (!isRecord(state) || state.local_open !== true || typeof state.open_requests !== 'number' || state.open_requests < 1) {
      return false;
    }
    state.local_open = false;
    state.open_requests -= 1;
    this.held = true;
    return true;
  }

  private resume(): void {
    if (this.held) {
      this.held = false;
      this.sender.open();
    }
  }

  /** Ids of deliveries handed to rhea that it has not written yet (rhea takes credit only then). */
  private readonly unsent: number[] = [];

  /**
   * Credit left for new deliveries. rhea takes credit when it writes a transfer on its next tick,
   * so right after `send()` it still reports the old credit; subtract what is queued but unwritten
   * (rhea internals: link.credit, session.outgoing.next_pending_delivery). A drain zeroes rhea's
   * credit, so nothing drained is ever counted as available.
   */
  private creditLeft(): number {
    const credit = get(this.sender, 'credit');
    const nextPending = get(get(this.sender.session, 'outgoing'), 'next_pending_delivery');
    if (typeof credit !== 'number' || typeof nextPending !== 'number') return 0;
    while (this.unsent.length > 0 && (this.unsent[0] ?? 0) < nextPending) this.unsent.shift();
    return credit - this.unsent.length;
  }

  sendable(): boolean {
    return !this.closed && !this.held && this.sender.is_open() && this.creditLeft() > 0 && this.sender.sendable();
  }

  /** Sends an encoded message with the given tag; returns the delivery handle. */
  send(message: AmqpMessage, tag: Buffer): object {
    const delivery: Delivery = this.sender.send(encodeMessage(message), tag, 0);
    this.unsent.push(delivery.id);
    return delivery;
  }

  /** Settles a delivery from our side with an outcome. */
  settle(delivery: object, error?: AmqpErrorInfo): void {
    settleDelivery(delivery as Delivery, error);
  }

  /** Drain requested and nothing more to send: consume the remaining credit. */
  drained(): void {
    this.sender.set_drained(true);
  }
}

/** A link on which we receive: the client's sender (message senders, management request links). */
export class IncomingLink extends LinkView {
  constructor(receiver: Receiver, connectionId: string) {
    super(receiver, connectionId);
  }

  accept(opts: { maxMessageSize?: number } = {}): void {
    this.configureAttach(opts.maxMessageSize !== undefined ? { maxMessageSize: opts.maxMessageSize } : {});
  }

  refuse(error: AmqpErrorInfo): void {
    this.configureAttach({});
    this.fail(error);
  }
}

export const SESSION_FILTER = 'com.microsoft:session-filter';

export interface IncomingTransfer {
  readonly message: AmqpMessage;
  readonly format: number;
  readonly size: number;
  accept(): void;
  reject(error: AmqpErrorInfo): void;
}

// ---------------------------------------------------------------- server

export interface ServerHandlers {
  /** A client receiver attached (we are the sender). */
  onOutgoingAttach(link: OutgoingLink): void;
  /** A client sender attached (we are the receiver). */
  onIncomingAttach(link: IncomingLink): void;
  onTransfer(link: IncomingLink, transfer: IncomingTransfer): void;
  onSendable(link: OutgoingLink): void;
  onDraining(link: OutgoingLink): void;
  onOutcome(link: OutgoingLink, delivery: object, outcome: Outcome): void;
  onLinkClosed(link: OutgoingLink | IncomingLink): void;
}

export interface AmqpServer {
  readonly port: number;
  /** Reply on the connection's outgoing link named `linkName` (management reply links). */
  findOutgoing(connectionId: string, linkName: string): OutgoingLink | undefined;
  close(): Promise<void>;
}

export async function listen(host: string, handlers: ServerHandlers, listenPort = 0): Promise<AmqpServer> {
  const container = rhea.create_container({
    id: 'sim-service-bus',
    // We settle what we receive ourselves (batches can be refused), and tell abandon from release.
    autoaccept: false,
    treat_modified_as_released: false,
    // rhea writes frames one by one; with Nagle + delayed ACK each exchange would wait ~40 ms.
    tcp_no_delay: true,
  });
  const views = new WeakMap<object, OutgoingLink | IncomingLink>();
  const byConnection = new Map<string, { connection: Connection; links: Set<OutgoingLink | IncomingLink> }>();
  let nextConnection = 1;
  const connectionIds = new WeakMap<object, string>();

  const connectionId = (c: Connection): string => {
    let id = connectionIds.get(c);
    if (!id) {
      id = `c${nextConnection++}`;
      connectionIds.set(c, id);
      byConnection.set(id, { connection: c, links: new Set() });
    }
    return id;
  };

  const register = (link: OutgoingLink | IncomingLink, rheaLink: object): void => {
    views.set(rheaLink, link);
    byConnection.get(link.connectionId)?.links.add(link);
  };

  const closed = (link: OutgoingLink | IncomingLink | undefined): void => {
    if (!link) return;
    const entry = byConnection.get(link.connectionId);
    if (!entry?.links.delete(link)) return;
    link.closed = true;
    handlers.onLinkClosed(link);
  };

  const dropConnection = (c: Connection): void => {
    const id = connectionIds.get(c);
    if (!id) return;
    const entry = byConnection.get(id);
    if (!entry) return;
    for (const link of [...entry.links]) closed(link);
    byConnection.delete(id);
  };

  // Handlers wrap rhea's `EventContext` fields; a throw here would kill the listener, so contain it.
  const guard = (name: string, fn: (ctx: EventContext) => void) => (ctx: EventContext): void => {
    try {
      fn(ctx);
    } catch (err) {
      console.error(`[sim-bus] ${name} handler failed:`, err);
    }
  };

  container.on('connection_open', guard('connection_open', (ctx) => void connectionId(ctx.connection)));
  container.on('sender_open', guard('sender_open', (ctx) => {
    if (!ctx.sender) return;
    const view = new OutgoingLink(ctx.sender, connectionId(ctx.connection));
    register(view, ctx.sender);
    handlers.onOutgoingAttach(view);
  }));
  container.on('receiver_open', guard('receiver_open', (ctx) => {
    if (!ctx.receiver) return;
    const view = new IncomingLink(ctx.receiver, connectionId(ctx.connection));
    register(view, ctx.receiver);
    handlers.onIncomingAttach(view);
  }));
  container.on('message', guard('message', (ctx) => {
    const receiver = ctx.receiver;
    const delivery = ctx.delivery;
    if (!receiver || !delivery) return;
    const view = views.get(receiver);
    if (!(view instanceof IncomingLink)) return;
    // rhea decodes standard-format transfers; other formats (batches) arrive as the raw payload.
    const raw: unknown = ctx.message;
    let message: AmqpMessage;
    let size: number;
    if (Buffer.isBuffer(raw)) {
      message = decodeMessage(raw);
      size = raw.length;
    } else {
      message = {};
      if (isRecord(raw)) for (const [k, v] of Object.entries(raw)) if (typeof v !== 'function') message[k] = v;
      size = encodeMessage(message).length;
    }
    handlers.onTransfer(view, {
      message,
      format: delivery.format,
      size,
      accept: () => settleDelivery(delivery),
      reject: (e) => settleDelivery(delivery, e),
    });
  }));
  container.on('sendable', guard('sendable', (ctx) => {
    const view = ctx.sender ? views.get(ctx.sender) : undefined;
    if (view instanceof OutgoingLink) handlers.onSendable(view);
  }));
  container.on('sender_draining', guard('sender_draining', (ctx) => {
    const view = ctx.sender ? views.get(ctx.sender) : undefined;
    if (view instanceof OutgoingLink) handlers.onDraining(view);
  }));
  for (const event of ['accepted', 'rejected', 'released', 'modified']) {
    container.on(event, guard(event, (ctx) => {
      const sender = ctx.sender;
      const delivery = ctx.delivery;
      const view = sender ? views.get(sender) : undefined;
      if (!(view instanceof OutgoingLink) || !delivery) return;
      const outcome = readOutcome(delivery.remote_state);
      if (outcome) handlers.onOutcome(view, delivery, outcome);
    }));
  }
  container.on('sender_close', guard('sender_close', (ctx) => closed(ctx.sender ? views.get(ctx.sender) : undefined)));
  container.on('receiver_close', guard('receiver_close', (ctx) => closed(ctx.receiver ? views.get(ctx.receiver) : undefined)));
  container.on('session_close', guard('session_close', (ctx) => {
    const id = connectionIds.get(ctx.connection);
    const entry = id ? byConnection.get(id) : undefined;
    if (!entry || !ctx.session) return;
    for (const link of [...entry.links]) if (link.belongsTo(ctx.session)) closed(link);
  }));
  container.on('connection_close', guard('connection_close', (ctx) => dropConnection(ctx.connection)));
  container.on('disconnected', guard('disconnected', (ctx) => dropConnection(ctx.connection)));
  // Errors a client causes (closing links with errors, dropping sockets) must not take down the broker.
  for (const event of ['sender_error', 'receiver_error', 'session_error', 'connection_error', 'protocol_error', 'error']) {
    container.on(event, () => undefined);
  }

  const server: Server = container.listen({ host, port: listenPort });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    findOutgoing(connId, linkName) {
      const entry = byConnection.get(connId);
      if (!entry) return undefined;
      for (const link of entry.links) {
        if (link instanceof OutgoingLink && !link.closed && (link.name === linkName || link.target?.address === linkName)) return link;
      }
      return undefined;
    },
    async close() {
      for (const { connection } of byConnection.values()) {
        try {
          connection.close();
        } catch {
          // already gone
        }
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Sockets whose close handshake does not finish are destroyed by rhea once the peer goes;
        // make sure a stuck peer cannot keep the listener open.
        setTimeout(() => {
          for (const { connection } of byConnection.values()) {
            const socket = get(connection, 'socket');
            const destroy = get(socket, 'destroy');
            if (typeof destroy === 'function') Reflect.apply(destroy, socket, []);
          }
        }, 200).unref();
      });
      byConnection.clear();
    },
  };
}
