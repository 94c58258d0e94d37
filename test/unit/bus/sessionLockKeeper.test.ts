// The session lock keeper tries a renewal again when the first goes unanswered, before the lock
// runs out: a slow answer must not lose the session (docs/adr/0026).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { SessionLockKeeper, renewalDelayMs } from '../../../shared/bus/sessionLockKeeper.ts';
import type { SessionLockHolder } from '../../../shared/bus/sessionLockKeeper.ts';

describe('SessionLockKeeper', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 }));
  afterEach(() => mock.timers.reset());

  it('tries again before the lock ends when a renewal is never answered', async () => {
    const calls: number[] = [];
    const holder: SessionLockHolder = {
      sessionId: 's',
      sessionLockedUntilUtc: new Date(30_000),
      renewSessionLock(options) {
        calls.push(Date.now());
        if (calls.length > 1) return Promise.resolve(new Date(Date.now() + 30_000));
        // The first answer never comes: only an abort ends the wait, as with the SDK's signal.
        return new Promise((_, reject) => options?.abortSignal?.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    };
    const keeper = new SessionLockKeeper(holder, { maxRenewalMs: 600_000 });
    keeper.start();
    for (let t = 0; t < 29_000; t += 500) {
      mock.timers.tick(500);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    keeper.stop();
    assert.ok(calls.length >= 2, `renewals tried before the lock ended at 30 s: ${JSON.stringify(calls)}`);
  });

  it('renews a short lock at half its time, not in a loop (the local pipeline locks for 5 s)', async () => {
    assert.equal(renewalDelayMs(5_000, 0), 2_500);
    assert.equal(renewalDelayMs(30_000, 0), 15_000);
    const calls: number[] = [];
    const holder: SessionLockHolder = {
      sessionId: 's',
      sessionLockedUntilUtc: new Date(5_000),
      renewSessionLock() {
        calls.push(Date.now());
        return Promise.resolve(new Date(Date.now() + 5_000));
      },
    };
    const keeper = new SessionLockKeeper(holder, { maxRenewalMs: 600_000 });
    keeper.start();
    for (let t = 0; t < 10_000; t += 100) {
      mock.timers.tick(100);
      await Promise.resolve();
      await Promise.resolve();
    }
    keeper.stop();
    assert.ok(calls.length >= 3 && calls.length <= 5, `renewals in 10 s of a 5 s lock: ${calls.length} at ${calls.join(', ')}`);
  });
});
