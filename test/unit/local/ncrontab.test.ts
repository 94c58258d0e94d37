import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextFire } from '../../../local/host/ncrontab.ts';

const at = (iso: string): number => Date.parse(iso);

describe('the local host timer schedule', () => {
  it('fires every five minutes on the minute, as the locations backstop asks', () => {
    assert.equal(nextFire('0 */5 * * * *', at('2026-11-25T10:02:30Z')), at('2026-11-25T10:05:00Z'));
    assert.equal(nextFire('0 */5 * * * *', at('2026-11-25T10:05:00Z')), at('2026-11-25T10:10:00Z'));
  });

  it('understands lists, ranges and fixed hours', () => {
    assert.equal(nextFire('15,45 * * * * *', at('2026-11-25T10:00:20Z')), at('2026-11-25T10:00:45Z'));
    assert.equal(nextFire('0 0 9-17 * * *', at('2026-11-25T17:30:00Z')), at('2026-11-26T09:00:00Z'));
  });

  it('refuses a schedule without six fields or with a value out of range', () => {
    assert.throws(() => nextFire('*/5 * * * *', 0), /6 fields/);
    assert.throws(() => nextFire('0 61 * * * *', 0), /bad NCRONTAB field/);
  });
});
