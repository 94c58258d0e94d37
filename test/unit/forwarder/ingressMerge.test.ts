import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeIngress } from '../../../forwarder/actions/ingressMerge.ts';

describe('the ingress merge', () => {
  it('appends the IP to an empty list', () => {
    assert.deepEqual(mergeIngress([], '20.0.0.1', 'IPv4'), { ingress: [{ ip: '20.0.0.1' }], changed: true });
  });

  it('replaces the same-family IP in place and keeps the other family and hostnames', () => {
    const current = [{ hostname: 'lb.example.com' }, { ip: '20.0.0.1' }, { ip: '2001:db8::1' }];
    const merged = mergeIngress(current, '20.0.0.9', 'IPv4');
    assert.deepEqual(merged.ingress, [{ hostname: 'lb.example.com' }, { ip: '20.0.0.9' }, { ip: '2001:db8::1' }]);
    assert.equal(merged.changed, true);
  });

  it('adds the second family of a dual-stack Service', () => {
    const merged = mergeIngress([{ ip: '20.0.0.1' }], '2001:db8::5', 'IPv6');
    assert.deepEqual(merged.ingress, [{ ip: '20.0.0.1' }, { ip: '2001:db8::5' }]);
  });

  it('reports no change when the list already holds the IP, even spelled differently', () => {
    const current = [{ ip: '2001:DB8:0:0::5', ipMode: 'VIP' }];
    const merged = mergeIngress(current, '2001:db8::5', 'IPv6');
    assert.equal(merged.changed, false);
    assert.deepEqual(merged.ingress, current);
  });

  it('leaves one entry of the family when the list had two', () => {
    const merged = mergeIngress([{ ip: '20.0.0.1' }, { ip: '20.0.0.2' }], '20.0.0.1', 'IPv4');
    assert.deepEqual(merged, { ingress: [{ ip: '20.0.0.1' }], changed: true });
  });

  it('refuses an IP of the wrong family', () => {
    assert.throws(() => mergeIngress([], '20.0.0.1', 'IPv6'), /not an IPv6 address/);
  });
});
