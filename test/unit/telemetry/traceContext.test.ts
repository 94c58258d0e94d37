// W3C traceparent as the messages carry it: parsed without a global propagator, and never trusted
// when malformed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spanContextOf, traceparentOf } from '../../../shared/telemetry/traceContext.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

describe('spanContextOf', () => {
  it('reads the trace id, span id and sampled flag of a version 00 traceparent', () => {
    assert.deepEqual(spanContextOf(`00-${TRACE}-${SPAN}-01`), { traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    assert.equal(spanContextOf(`00-${TRACE}-${SPAN}-00`)?.traceFlags, 0);
  });

  it('writes back what it read', () => {
    const tp = `00-${TRACE}-${SPAN}-01`;
    const sc = spanContextOf(tp);
    assert.ok(sc);
    assert.equal(traceparentOf(sc), tp);
  });

  const bad: readonly [string, string | undefined][] = [
    ['nothing', undefined],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['an all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['a version 00 with extra fields', `00-${TRACE}-${SPAN}-01-extra`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['a Request-Id of the old format', `|${TRACE}.${SPAN}.`],
  ];
  for (const [what, tp] of bad) it(`rejects ${what}`, () => assert.equal(spanContextOf(tp), null));

  it('accepts fields a later version appends', () => {
    assert.equal(spanContextOf(`01-${TRACE}-${SPAN}-01-future`)?.traceId, TRACE);
  });
});
