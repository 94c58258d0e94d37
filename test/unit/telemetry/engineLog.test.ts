// The shape of the engine's log lines, read off a Service created through the real handlers.
// First: the fake Functions core must be in place before a function module registers itself.
import '../../support/functionsCore.ts';
import assert from 'node:assert/strict';
import azf from '@azure/functions';
import { after, before, describe, it } from 'node:test';
import { engineHandler } from '../../../functions/engine.ts';
import { toEngineEventMessage } from '../../../shared/messages/toEngineEventMessage.ts';
import { EngineLog } from '../../../shared/telemetry/engineLog.ts';
import { uidOf } from '../../support/builders.ts';
import { createWith, startWorld, webCluster } from './telemetryWorld.ts';
import type { LogLine, TelemetryWorld } from './telemetryWorld.ts';

const { InvocationContext } = azf;

/** Lines about one service operation or state of a service. */
const SERVICE_LINES = new Set(['state changed', 'service operation dispatched', 'service operation done', 'service operation completed', 'buffered addresses released']);

describe('engine log lines', () => {
  let w: TelemetryWorld;
  let lines: readonly LogLine[];
  before(async () => {
    w = await startWorld();
    w.fresh();
    await createWith(w, 'log-a', webCluster('log-web', '10.5.0.4', '10.247.0.7'), 1_000);
    lines = [...w.lines];
  });
  after(async () => {
    await w.stop();
  });

  it('gives every line a message and the cluster', () => {
    assert.ok(lines.length >= 8, `only ${lines.length} lines`);
    for (const { line } of lines) {
      assert.equal(typeof line.msg, 'string');
      assert.equal(line.cluster, 'log-a', JSON.stringify(line));
    }
  });

  it('names the service, its state and its correlation id on every line about a service', () => {
    const about = lines.filter((l) => SERVICE_LINES.has(String(l.line.msg)));
    assert.deepEqual([...new Set(about.map((l) => l.line.msg))].sort(), [...SERVICE_LINES].sort());
    for (const { line } of about) {
      assert.equal(line.serviceUid, uidOf('log-web'), JSON.stringify(line));
      assert.match(String(line.correlationId), /^log-a:corr:/, JSON.stringify(line));
      if (line.msg !== 'service operation done') assert.ok(typeof line.state === 'string', JSON.stringify(line));
    }
  });

  it('carries the operation and its duration on the lines that end one', () => {
    const completed = lines.find((l) => l.line.msg === 'service operation completed')?.line;
    assert.equal(completed?.operation, 'create');
    assert.equal(completed?.durationMs, 1_000);
    assert.equal(completed?.state, 'Created');
    const done = lines.find((l) => l.line.msg === 'service operation done')?.line;
    assert.equal(done?.operation, 'create');
    assert.equal(typeof done?.durationMs, 'number');
    const batch = lines.find((l) => l.line.msg === 'engine batch applied')?.line;
    assert.equal(typeof batch?.durationMs, 'number');
  });

  it('leaves out a field it does not know instead of writing null, and logs no objects', () => {
    for (const { line } of lines) {
      for (const [key, value] of Object.entries(line)) {
        assert.ok(value !== null && typeof value !== 'object', `${key} in ${JSON.stringify(line)}`);
      }
    }
    const batch = lines.find((l) => l.line.msg === 'engine batch applied')?.line ?? {};
    for (const field of ['serviceUid', 'operation', 'state', 'correlationId']) assert.equal(field in batch, false, field);
  });

  it('writes to the invocation\'s own log when the telemetry names no sink', async () => {
    w.fresh({ keepLines: false });
    const logged: { level: string; text: string }[] = [];
    const message = toEngineEventMessage('log-b', { kind: 'Tick' }, { now: w.h.now });
    const ctx = new InvocationContext({
      invocationId: 'log-b-1',
      functionName: 'engine',
      logHandler: (level, ...args) => logged.push({ level, text: args.map(String).join(' ') }),
      triggerMetadata: { sessionId: 'log-b', messageIdArray: [message.messageId], deliveryCountArray: [1] },
    });
    await engineHandler([message.body], ctx);
    const batch = logged.find((l) => l.text.includes('engine batch applied'));
    assert.equal(batch?.level, 'information');
    assert.equal((JSON.parse(batch?.text ?? '{}') as { cluster?: string }).cluster, 'log-b');
  });

  it('scrubs credentials out of the values it writes', () => {
    const written: string[] = [];
    const log = new EngineLog((_level, line) => written.push(line), { cluster: 'log-c' });
    log.warn('service operation failed', {
      detail: 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=c2VjcmV0',
      message: 'GET failed: Authorization: Bearer eyJhbGciOi.payload.sig',
    });
    const line = written[0] ?? '';
    assert.doesNotMatch(line, /c2VjcmV0|eyJhbGciOi/);
    assert.match(line, /SharedAccessKey=\[redacted\]/);
    assert.match(line, /Bearer \[redacted\]/);
  });
});
