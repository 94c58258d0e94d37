// The end-to-end tier's judge: a report that meets its expectations passes, and each way of
// falling short (extra writes, a leaked IP, a wrong rule, a stale address, a lost ingress IP, a
// surprise Warning, a dead letter) is named.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectationDifferences, parseExpectations } from '../../../local/scenario/expectations.ts';
import type { Expectations } from '../../../local/scenario/expectations.ts';
import type { Report } from '../../../local/scenario/reportTypes.ts';

const UID = '785bb451-898a-5f52-b21c-788ef1a8377f';

const report: Report = {
  scenario: 's',
  converged: true,
  durationMs: 1,
  nrp: {
    services: [
      { name: UID, type: 'Inbound', backendPoolIds: ['pool'], natGatewayId: null },
      { name: 'team-a', type: 'Outbound', backendPoolIds: [], natGatewayId: 'nat' },
    ],
    loadBalancers: [{ name: UID, rules: [{ protocol: 'Tcp', frontendPort: 80, backendPort: 8080 }, { protocol: 'Udp', frontendPort: 53, backendPort: 53 }] }],
    publicIPs: [
      { name: `${UID}-pip`, ipAddress: '20.0.0.1', version: 'IPv4' },
      { name: 'team-a-pip', ipAddress: '20.0.0.2', version: 'IPv4' },
    ],
    natGateways: [{ name: 'team-a', publicIPs: ['team-a-pip'] }],
    locations: [{ location: '10.0.0.4', addresses: [{ address: '10.244.0.7', services: [UID, 'team-a'] }] }],
  },
  kubernetes: {
    services: [
      { namespace: 'default', name: 'web', uid: UID, ingressIPs: ['20.0.0.1'], finalizers: ['servicegateway.azure.com/service-cleanup'] },
      { namespace: 'default', name: 'sctp', uid: 'u2', ingressIPs: [], finalizers: [] },
    ],
    pods: [{ namespace: 'apps', name: 'worker', finalizers: [] }],
    events: [
      { object: 'Service/default/web', type: 'Normal', reason: 'EnsuredLoadBalancer' },
      { object: 'Service/default/sctp', type: 'Warning', reason: 'UnsupportedProtocol' },
    ],
  },
  calls: { 'publicIPAddresses.createOrUpdate': 2, 'loadBalancers.createOrUpdate': 1, updateServices: 1, updateAddressLocations: 2, throttled: 5 },
  deadLetters: [],
  latencyMs: { p50: 1, p99: 1 },
  snapshots: {},
};

const expectations: Expectations = {
  maxNrpWrites: { total: 6, updateAddressLocations: 2 },
  nrp: {
    inbound: [UID],
    outbound: ['team-a'],
    loadBalancerRules: { [UID]: [{ protocol: 'Udp', frontendPort: 53, backendPort: 53 }, { protocol: 'Tcp', frontendPort: 80, backendPort: 8080 }] },
    locations: { '10.0.0.4': { '10.244.0.7': ['team-a', UID] } },
  },
  kubernetes: {
    withIngress: ['default/web'],
    withoutIngress: ['default/sctp'],
    events: [{ object: 'Service/default/sctp', type: 'Warning', reason: 'UnsupportedProtocol' }],
    remaining: ['Service/default/web', 'Pod/apps/worker'],
    gone: ['Service/default/api'],
  },
  deadLetters: 0,
};

describe('scenario expectations', () => {
  it('passes a report that meets them, in any order, not counting 429 answers as writes', () => {
    assert.deepEqual(expectationDifferences(report, expectations), []);
  });

  it('names every bound the writes go over', () => {
    const d = expectationDifferences({ ...report, calls: { ...report.calls, updateAddressLocations: 3 } }, expectations);
    assert.deepEqual(d, ['NRP writes: total used 7, at most 6 allowed', 'NRP writes: updateAddressLocations used 3, at most 2 allowed']);
  });

  it('finds a leaked public IP and a missing one', () => {
    const leaked = expectationDifferences({ ...report, nrp: { ...report.nrp, publicIPs: [...report.nrp.publicIPs, { name: 'old-uid-pip', ipAddress: '20.0.0.3', version: 'IPv4' }] } }, expectations);
    assert.deepEqual(leaked, ['NRP public IP old-uid-pip belongs to nothing that should exist (leaked)']);
    const missing = expectationDifferences({ ...report, nrp: { ...report.nrp, publicIPs: report.nrp.publicIPs.slice(1) } }, expectations);
    assert.ok(missing.includes(`NRP has no public IP for ${UID}`), missing.join('\n'));
  });

  it('finds wrong services, rules, NAT gateways and locations', () => {
    const wrong: Report = {
      ...report,
      nrp: {
        ...report.nrp,
        services: report.nrp.services.slice(0, 1),
        loadBalancers: [{ name: UID, rules: [{ protocol: 'Tcp', frontendPort: 80, backendPort: 8080 }] }],
        natGateways: [],
        locations: [{ location: '10.0.0.4', addresses: [{ address: '10.244.0.7', services: [UID] }] }],
      },
    };
    const d = expectationDifferences(wrong, expectations);
    assert.equal(d.length, 4, d.join('\n'));
    assert.match(d[0] ?? '', /^NRP outbound services/);
    assert.match(d[1] ?? '', /^NRP load balancer .* rules/);
    assert.match(d[2] ?? '', /^NRP NAT gateways/);
    assert.match(d[3] ?? '', /^NRP locations/);
  });

  it('checks the public IPs of the NAT gateways it names, in any order', () => {
    const dual = { ...expectations, nrp: { ...expectations.nrp, natGatewayPublicIPs: { 'team-a': ['team-a-pip-v6', 'team-a-pip'] } } };
    assert.deepEqual(expectationDifferences(report, dual), ['NRP NAT gateway team-a public IPs: ["team-a-pip"], expected ["team-a-pip","team-a-pip-v6"]']);
    const both = { ...report, nrp: { ...report.nrp, natGateways: [{ name: 'team-a', publicIPs: ['team-a-pip', 'team-a-pip-v6'] }] } };
    assert.deepEqual(expectationDifferences(both, dual), []);
  });

  it('checks ingress IPs against NRP, objects present and gone, Events and dead letters', () => {
    const wrong: Report = {
      ...report,
      kubernetes: {
        services: [
          { namespace: 'default', name: 'web', uid: UID, ingressIPs: ['20.0.0.9'], finalizers: [] },
          { namespace: 'default', name: 'sctp', uid: 'u2', ingressIPs: ['20.0.0.5'], finalizers: [] },
          { namespace: 'default', name: 'api', uid: 'u3', ingressIPs: [], finalizers: [] },
        ],
        pods: [],
        events: [{ object: 'Service/default/web', type: 'Warning', reason: 'SyncLoadBalancerFailed' }],
      },
      deadLetters: [{ queue: 'engine-events', reason: 'unreadable' }],
    };
    assert.deepEqual(expectationDifferences(wrong, expectations), [
      'Service default/web ingress ["20.0.0.9"] differs from its public IPs in NRP ["20.0.0.1"]',
      'Service default/sctp should carry no ingress IP, has ["20.0.0.5"]',
      'Pod/apps/worker should still exist',
      'Service/default/api should be gone',
      'missing Event: Warning UnsupportedProtocol Service/default/sctp',
      'unexpected Event: Warning SyncLoadBalancerFailed Service/default/web',
      'dead letters: 1 (engine-events: unreadable), expected 0',
    ]);
  });

  it('refuses an expectations file with an unknown field or no total bound, naming the path', () => {
    const bad = parseExpectations(JSON.stringify({ ...expectations, kubernetes: { withIngres: [] } }));
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.reason, /kubernetes/);
    const noTotal = parseExpectations(JSON.stringify({ ...expectations, maxNrpWrites: { updateServices: 1 } }));
    assert.equal(noTotal.ok, false);
    assert.match(noTotal.ok ? '' : noTotal.reason, /maxNrpWrites/);
    assert.equal(parseExpectations(JSON.stringify(expectations)).ok, true);
  });
});
