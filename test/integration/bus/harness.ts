// Shared helpers for the bus integration tests: a real ServiceBusClient against the test broker.
import assert from 'node:assert/strict';
import { ServiceBusClient, isServiceBusError } from '@azure/service-bus';
import type { ServiceBusReceivedMessage, ServiceBusReceiver, ServiceBusSessionReceiver } from '@azure/service-bus';
import type { Clock } from '../../../local/sim/bus/broker.ts';

interface Retry {
  readonly maxRetries: number;
  readonly timeoutInMs: number;
  readonly retryDelayInMs: number;
}

/** Fail fast: one retry, 5 s per operation, short pause between attempts. */
export const RETRY: Retry = { maxRetries: 1, timeoutInMs: 5000, retryDelayInMs: 50 };

export function newClient(connectionString: string, retryOptions: Partial<Retry> = {}): ServiceBusClient {
  return new ServiceBusClient(connectionString, { retryOptions: { ...RETRY, ...retryOptions } });
}

/** Polls `probe` every 10 ms until it returns something other than undefined/false. */
export async function waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Receives until `count` messages arrived (or fails after `timeoutMs`). */
export async function receiveCount(
  receiver: ServiceBusReceiver | ServiceBusSessionReceiver, count: number, timeoutMs = 3000,
): Promise<ServiceBusReceivedMessage[]> {
  const out: ServiceBusReceivedMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    const left = deadline - Date.now();
    if (left <= 0) assert.fail(`received ${out.length} of ${count} messages`);
    out.push(...await receiver.receiveMessages(count - out.length, { maxWaitTimeInMs: Math.min(left, 1000) }));
  }
  return out;
}

/** Asserts nothing is delivered within `ms`. */
export async function assertNothing(receiver: ServiceBusReceiver | ServiceBusSessionReceiver, ms = 150): Promise<void> {
  const got = await receiver.receiveMessages(1, { maxWaitTimeInMs: ms });
  assert.deepEqual(got.map((m) => m.body as unknown), [], 'expected no message');
}

/** The Service Bus error code of a rejection, asserting it is a ServiceBusError. */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(isServiceBusError(err), `expected a ServiceBusError, got ${String(err)}`);
    return err.code;
  }
  return assert.fail('expected the operation to fail');
}

/**
 * A clock the test moves by hand. It starts at the real time so that lock expiry dates the SDK
 * sees stay plausible (it schedules its own lock renewals from them).
 */
export class ManualClock implements Clock {
  private t: number;
  constructor(start = Date.now()) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
