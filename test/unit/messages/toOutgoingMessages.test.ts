// The engine's commands as messages: the right queue, session, id, schedule and body for each,
// checked before they leave, and every command a real World emits survives the trip.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineCommand, ServiceOperation } from '../../../shared/engine/types.ts';
import { SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import { MAX_ID_CHARS } from '../../../shared/messages/bounds.ts';
import type { OutgoingMessage } from '../../../shared/messages/outgoing.ts';
import { SESSION_QUEUES } from '../../../shared/messages/outgoing.ts';
import { parseMessage } from '../../../shared/messages/parseMessage.ts';
import { toOutgoingMessages } from '../../../shared/messages/toOutgoingMessages.ts';
import { CLUSTER, TRACEPARENT, busyWorld } from './busyWorld.ts';
import { commandOf } from './commandOf.ts';

type Command<K extends EngineCommand['kind']> = Extract<EngineCommand, { kind: K }>;

const target = { kind: 'Service', namespace: 'default', name: 'web', uid: 'u-1' } as const;
const operation: ServiceOperation = {
  cluster: CLUSTER,
  dispatchId: `${CLUSTER}:op:team-a:4`,
  correlationId: `${CLUSTER}:corr:team-a:3`,
  serviceName: 'team-a',
  serviceKind: 'outbound',
  operation: 'create',
  config: { kind: 'outbound', name: 'team-a', ipFamilies: ['IPv4', 'IPv6'] },
  orphan: false,
  attempt: 1,
};

function only(commands: readonly EngineCommand[], now = 1_000): OutgoingMessage {
  const messages = toOutgoingMessages(CLUSTER, commands, { now });
  assert.equal(messages.length, 1);
  const [m] = messages;
  if (!m) assert.fail('no message');
  return m;
}

describe('toOutgoingMessages', () => {
  it('sends a service operation to service-ops, without a session, keyed by its dispatch id', () => {
    const m = only([{ kind: 'DispatchServiceOperation', operation }]);
    assert.deepEqual(m, { queue: 'service-ops', body: { v: 1, operation }, messageId: operation.dispatchId });
  });

  it('sends a sync as a small trigger keyed by its sync id, leaving the requests in the state', () => {
    const sync = {
      cluster: CLUSTER,
      syncId: `${CLUSTER}:sync:5`,
      requests: [{ action: 'PartialUpdate', addressLocations: [{ addressLocation: '10.0.0.4', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.0.5', services: ['x'] }] }] }],
    } as const;
    const m = only([{ kind: 'SyncLocations', sync }]);
    assert.deepEqual(m, { queue: 'locations-sync', body: { v: 1, cluster: CLUSTER, syncId: sync.syncId }, messageId: sync.syncId, sessionId: CLUSTER });
  });

  it('sends a request to read NRP to locations-sync with its reason', () => {
    const m = only([{ kind: 'ObserveNrp', reason: 'ServiceWithOverlayMappingsCannotBeDeleted for x' }], 7_000);
    assert.equal(m.queue, 'locations-sync');
    assert.deepEqual(m.body, { v: 1, cluster: CLUSTER, observe: true, reason: 'ServiceWithOverlayMappingsCannotBeDeleted for x' });
    assert.equal(m.messageId, `${CLUSTER}:observe:7000`);
    assert.equal(m.sessionId, CLUSTER);
  });

  it("sends each Kubernetes action to k8s-actions in the cluster's session", () => {
    const actions: EngineCommand[] = [
      { kind: 'PatchServiceStatus', target, ingressIp: '20.1.2.3', family: 'IPv4' },
      { kind: 'AddFinalizer', target, finalizer: SERVICE_FINALIZER },
      { kind: 'RemoveFinalizer', target, finalizer: SERVICE_FINALIZER },
      { kind: 'RecordKubernetesEvent', target, type: 'Normal', reason: 'EnsuredLoadBalancer', message: 'load balancer created' },
    ];
    const messages = toOutgoingMessages(CLUSTER, actions, { now: 0 });
    assert.deepEqual(
      messages.map((m) => [m.queue, m.sessionId, m.body]),
      actions.map((action) => ['k8s-actions', CLUSTER, { v: 1, cluster: CLUSTER, action }]),
    );
    assert.ok(messages.every((m) => m.messageId.startsWith(`${CLUSTER}:`) && m.messageId.length <= MAX_ID_CHARS));
  });

  it("schedules a wake-up as a Tick on the cluster's engine session at the requested time", () => {
    const m = only([{ kind: 'WakeAt', at: 65_000 }]);
    assert.deepEqual(m, {
      queue: 'engine-events',
      body: { v: 1, cluster: CLUSTER, event: { kind: 'Tick' } },
      messageId: `${CLUSTER}:wake:65000`,
      sessionId: CLUSTER,
      scheduledEnqueueTimeUtc: new Date(65_000),
    });
  });

  it('carries the trace as Diagnostic-Id on every message and in the Tick body', () => {
    const messages = toOutgoingMessages(CLUSTER, [{ kind: 'WakeAt', at: 5 }, { kind: 'DispatchServiceOperation', operation }], { now: 0, traceparent: TRACEPARENT });
    for (const m of messages) assert.deepEqual(m.applicationProperties, { 'Diagnostic-Id': TRACEPARENT });
    assert.equal((messages[0]?.body as { traceparent?: string }).traceparent, TRACEPARENT);
  });

  it('keeps command order and leaves out a message that repeats an earlier id', () => {
    const commands: EngineCommand[] = [
      { kind: 'WakeAt', at: 5_000 },
      { kind: 'AddFinalizer', target, finalizer: SERVICE_FINALIZER },
      { kind: 'WakeAt', at: 5_000 },
      { kind: 'DispatchServiceOperation', operation },
      { kind: 'AddFinalizer', target, finalizer: SERVICE_FINALIZER },
    ];
    assert.deepEqual(
      toOutgoingMessages(CLUSTER, commands, { now: 0 }).map((m) => m.queue),
      ['engine-events', 'k8s-actions', 'service-ops'],
    );
  });

  it('is pure: the same commands and context give equal messages', () => {
    const w = busyWorld();
    assert.deepEqual(toOutgoingMessages(CLUSTER, w.commands, { now: w.now }), toOutgoingMessages(CLUSTER, busyWorld().commands, { now: w.now }));
  });

  it("throws for an operation of another cluster: it would run in the wrong cluster's name", () => {
    assert.throws(() => toOutgoingMessages('other', [{ kind: 'DispatchServiceOperation', operation }], { now: 0 }), /is for cluster "test-cluster", not "other"/);
  });

  it('throws with the field and problem for a command its schema rejects', () => {
    const tooLong: Command<'PatchServiceStatus'> = { kind: 'PatchServiceStatus', target, ingressIp: '1'.repeat(65), family: 'IPv4' };
    assert.throws(() => toOutgoingMessages(CLUSTER, [tooLong], { now: 0 }), /invalid k8s-actions message .*: action\.ingressIp: expected <= 64 characters, received 65 characters/);
    const noConfig: Command<'DispatchServiceOperation'> = { kind: 'DispatchServiceOperation', operation: { ...operation, config: null } };
    assert.throws(() => toOutgoingMessages(CLUSTER, [noConfig], { now: 0 }), /operation\.config: a create needs a config/);
  });

  it('throws for a wake-up time no Date can hold', () => {
    assert.throws(() => toOutgoingMessages(CLUSTER, [{ kind: 'WakeAt', at: Number.MAX_SAFE_INTEGER }], { now: 0 }), /invalid engine-events message/);
  });

  it('throws for a cluster name that cannot be a SessionId or part of an id', () => {
    assert.throws(() => toOutgoingMessages('team/a', [{ kind: 'WakeAt', at: 1 }], { now: 0 }), /cluster: expected a cluster name/);
    assert.throws(() => toOutgoingMessages('a'.repeat(200), [{ kind: 'WakeAt', at: 1 }], { now: 0 }), /sessionId: 200 characters/);
  });

  it('maps every command a busy World emitted to a message that parses back to the same command', () => {
    const w = busyWorld();
    const kinds = new Set(w.commands.map((c) => c.kind));
    assert.deepEqual([...kinds].sort(), ['AddFinalizer', 'DispatchServiceOperation', 'ObserveNrp', 'PatchServiceStatus', 'RecordKubernetesEvent', 'RemoveFinalizer', 'SyncLocations', 'WakeAt']);
    for (const command of w.commands) {
      const [m, ...rest] = toOutgoingMessages(CLUSTER, [command], { now: w.now, traceparent: TRACEPARENT });
      assert.equal(rest.length, 0);
      if (!m) assert.fail('no message');
      assert.equal(m.sessionId !== undefined, SESSION_QUEUES.has(m.queue));
      const parsed = parseMessage(m.queue, JSON.stringify(m.body));
      if (!parsed.ok) assert.fail(`${command.kind}: ${parsed.reason}`);
      assert.deepEqual(parsed.value, m.body);
      assert.deepEqual(commandOf(m, parsed.value), command.kind === 'SyncLocations' ? { ...command, sync: { ...command.sync, requests: [] } } : command);
    }
  });
});
