// Which Services are ours and what we can build for them (reference §1.3, §7.1, §7.2).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_IDLE_TIMEOUT_MINUTES,
  IDLE_TIMEOUT_ANNOTATION,
  INTERNAL_LB_ANNOTATION,
  admitInboundService,
  familyOfPublicIp,
  isOurs,
} from '../../../shared/engine/admission.ts';
import type { Admission, AdmissionReason } from '../../../shared/engine/admission.ts';
import type { InboundConfig, ServicePortFact } from '../../../shared/engine/types.ts';
import { service } from '../../support/builders.ts';
import type { ServiceOptions } from '../../support/builders.ts';

function admittedConfig(a: Admission): InboundConfig {
  if (!a.admitted) assert.fail(`expected admission, got ${a.reason}: ${a.message}`);
  return a.config;
}

function rejectionReason(a: Admission): AdmissionReason {
  if (a.admitted) assert.fail(`expected a rejection, got ${JSON.stringify(a.config)}`);
  assert.ok(a.message.length > 0, 'a rejection carries a message for the Warning event');
  return a.reason;
}

const tcp = (port: number, targetPort: number | string | null): ServicePortFact => ({ protocol: 'TCP', port, targetPort });
const udp = (port: number, targetPort: number | string | null): ServicePortFact => ({ protocol: 'UDP', port, targetPort });

describe('isOurs', () => {
  it('claims a LoadBalancer Service without a loadBalancerClass', () => {
    assert.equal(isOurs(service('web')), true);
  });

  for (const cls of ['service.k8s.aws/nlb', 'example.com/other-lb', 'servicegateway.azure.com/whatever']) {
    it(`leaves a Service with loadBalancerClass ${cls} to someone else`, () => {
      assert.equal(isOurs(service('web', { loadBalancerClass: cls })), false);
    });
  }

  for (const type of ['ClusterIP', 'NodePort', 'ExternalName', 'loadbalancer']) {
    it(`leaves a Service of type ${type} alone`, () => {
      assert.equal(isOurs(service('web', { type })), false);
    });
  }
});

interface RejectCase {
  readonly name: string;
  readonly options: ServiceOptions;
  readonly reason: AdmissionReason;
}

const rejects: readonly RejectCase[] = [
  { name: 'rejects the internal load balancer annotation', options: { annotations: { [INTERNAL_LB_ANNOTATION]: 'true' } }, reason: 'UnsupportedInternalLoadBalancer' },
  { name: 'rejects the internal load balancer annotation in any case', options: { annotations: { [INTERNAL_LB_ANNOTATION]: 'TRUE' } }, reason: 'UnsupportedInternalLoadBalancer' },
  { name: 'rejects sessionAffinity ClientIP', options: { sessionAffinity: 'ClientIP' }, reason: 'UnsupportedSessionAffinity' },
  { name: 'rejects spec.loadBalancerIP', options: { loadBalancerIP: '20.1.2.3' }, reason: 'UnsupportedLoadBalancerIP' },
  { name: 'rejects a dual-stack Service', options: { ipFamilies: ['IPv4', 'IPv6'] }, reason: 'UnsupportedDualStack' },
  { name: 'rejects a dual-stack Service listed IPv6 first', options: { ipFamilies: ['IPv6', 'IPv4'] }, reason: 'UnsupportedDualStack' },
  { name: 'rejects an idle timeout of 3 minutes', options: { annotations: { [IDLE_TIMEOUT_ANNOTATION]: '3' } }, reason: 'InvalidIdleTimeout' },
  { name: 'rejects an idle timeout of 31 minutes', options: { annotations: { [IDLE_TIMEOUT_ANNOTATION]: '31' } }, reason: 'InvalidIdleTimeout' },
  { name: 'rejects an idle timeout of 0 minutes', options: { annotations: { [IDLE_TIMEOUT_ANNOTATION]: '0' } }, reason: 'InvalidIdleTimeout' },
  { name: 'rejects a non-numeric idle timeout', options: { annotations: { [IDLE_TIMEOUT_ANNOTATION]: 'abc' } }, reason: 'InvalidIdleTimeout' },
  { name: 'rejects an empty idle timeout', options: { annotations: { [IDLE_TIMEOUT_ANNOTATION]: '' } }, reason: 'InvalidIdleTimeout' },
  { name: 'rejects a fractional idle timeout', options: { annotations: { [IDLE_TIMEOUT_ANNOTATION]: '4.5' } }, reason: 'InvalidIdleTimeout' },
  { name: 'rejects a negative idle timeout', options: { annotations: { [IDLE_TIMEOUT_ANNOTATION]: '-5' } }, reason: 'InvalidIdleTimeout' },
  { name: 'rejects a named targetPort', options: { ports: [tcp(80, 'http')] }, reason: 'UnsupportedNamedTargetPort' },
  { name: 'rejects a named targetPort that starts with a digit', options: { ports: [tcp(80, '8080a')] }, reason: 'UnsupportedNamedTargetPort' },
  { name: 'rejects protocol SCTP', options: { ports: [{ protocol: 'SCTP', port: 80, targetPort: 80 }] }, reason: 'UnsupportedProtocol' },
  { name: 'rejects a lower-case protocol name', options: { ports: [{ protocol: 'tcp', port: 80, targetPort: 80 }] }, reason: 'UnsupportedProtocol' },
  { name: 'rejects two TCP ports with the same targetPort', options: { ports: [tcp(80, 8080), tcp(81, 8080)] }, reason: 'UnsupportedBackendPortCollision' },
  {
    name: 'rejects a backend port collision between an unset targetPort and an explicit one',
    options: { ports: [tcp(8080, null), tcp(80, 8080)] },
    reason: 'UnsupportedBackendPortCollision',
  },
  {
    name: 'rejects a backend port collision between a numeric string and a number',
    options: { ports: [tcp(80, '8080'), tcp(81, 8080)] },
    reason: 'UnsupportedBackendPortCollision',
  },
  {
    name: 'rejects a backend port collision between targetPort 0 and an explicit one',
    options: { ports: [tcp(443, 0), tcp(80, 443)] },
    reason: 'UnsupportedBackendPortCollision',
  },
  {
    name: 'checks the first rule in reference order: internal LB before session affinity before loadBalancerIP',
    options: { annotations: { [INTERNAL_LB_ANNOTATION]: 'true' }, sessionAffinity: 'ClientIP', loadBalancerIP: '20.1.2.3' },
    reason: 'UnsupportedInternalLoadBalancer',
  },
  {
    name: 'reports an unsupported protocol before a collision the same port takes part in',
    options: { ports: [tcp(80, 8080), { protocol: 'SCTP', port: 81, targetPort: 8080 }] },
    reason: 'UnsupportedProtocol',
  },
];

describe('admitInboundService rejects what Service Gateway cannot build', () => {
  for (const c of rejects) {
    it(c.name, () => {
      assert.equal(rejectionReason(admitInboundService(service('web', c.options))), c.reason);
    });
  }
});

// The reference reads the annotation with strings.TrimSpace and strconv.Atoi, then checks 4-30:
// Go's white space around it is dropped, one leading '+' is allowed, anything else is refused.
const idleTimeouts: readonly { readonly value: string; readonly minutes: number | null }[] = [
  { value: '4', minutes: 4 },
  { value: '30', minutes: 30 },
  { value: '17', minutes: 17 },
  { value: '05', minutes: 5 },
  { value: ' 5 ', minutes: 5 },
  { value: '+10', minutes: 10 },
  { value: ' +10\t', minutes: 10 },
  { value: '\n\r\v\f12', minutes: 12 },
  { value: '\u00a0\u008513\u3000\u2028', minutes: 13 },
  { value: '+004', minutes: 4 },
  { value: '+3', minutes: null },
  { value: '+31', minutes: null },
  { value: '+', minutes: null },
  { value: '++10', minutes: null },
  { value: '+-10', minutes: null },
  { value: '-10', minutes: null },
  { value: '+ 10', minutes: null },
  { value: '1 0', minutes: null },
  { value: '10+', minutes: null },
  { value: ' ', minutes: null },
  { value: '\ufeff10', minutes: null },
  { value: '10\u200b', minutes: null },
  { value: '1e1', minutes: null },
  { value: '0x0a', minutes: null },
  { value: '１０', minutes: null },
];

describe('admitInboundService reads the idle-timeout annotation as the reference does', () => {
  for (const c of idleTimeouts) {
    it(`${c.minutes === null ? 'rejects' : `reads ${c.minutes} minutes from`} ${JSON.stringify(c.value)}`, () => {
      const admission = admitInboundService(service('web', { annotations: { [IDLE_TIMEOUT_ANNOTATION]: c.value } }));
      if (c.minutes === null) assert.equal(rejectionReason(admission), 'InvalidIdleTimeout');
      else assert.equal(admittedConfig(admission).idleTimeoutMinutes, c.minutes);
    });
  }
});

describe('admitInboundService accepts', () => {

  it('the internal annotation set to "false"', () => {
    admittedConfig(admitInboundService(service('web', { annotations: { [INTERNAL_LB_ANNOTATION]: 'false' } })));
  });

  it('sessionAffinity None', () => {
    admittedConfig(admitInboundService(service('web', { sessionAffinity: 'None' })));
  });

  it('a numeric-string targetPort as that port number', () => {
    const config = admittedConfig(admitInboundService(service('web', { ports: [tcp(80, '8080')] })));
    assert.deepEqual(config.ports, [{ protocol: 'TCP', port: 80, backendPort: 8080 }]);
  });

  it('the same backend port under TCP and UDP', () => {
    const config = admittedConfig(admitInboundService(service('dns', { ports: [udp(53, 5353), tcp(53, 5353)] })));
    assert.equal(config.ports.length, 2);
  });

  it('a Service with any externalTrafficPolicy (the fact does not even carry it)', () => {
    // externalTrafficPolicy is accepted and ignored (§7.2): admission reads no such field, so two
    // Services that differ only there must give equal configs.
    const plain = service('web');
    const withPolicy = { ...plain, externalTrafficPolicy: 'Local' };
    assert.deepEqual(admitInboundService(withPolicy), admitInboundService(plain));
  });
});

describe('the config of an admitted Service', () => {
  it('is named after the lower-cased UID and keeps the original reference', () => {
    const uid = 'ABCDEF01-2345-4678-9ABC-DEF012345678';
    const config = admittedConfig(admitInboundService(service('web', { namespace: 'shop', uid })));
    assert.equal(config.kind, 'inbound');
    assert.equal(config.name, 'abcdef01-2345-4678-9abc-def012345678');
    assert.deepEqual(config.service, { namespace: 'shop', name: 'web', uid });
  });

  it('sorts ports by protocol, then port, whatever the spec order', () => {
    const ports = [udp(53, 5353), tcp(443, 8443), tcp(80, 8080), udp(5, 5)];
    const a = admittedConfig(admitInboundService(service('web', { ports })));
    const b = admittedConfig(admitInboundService(service('web', { ports: [...ports].reverse() })));
    assert.deepEqual(a.ports, [
      { protocol: 'TCP', port: 80, backendPort: 8080 },
      { protocol: 'TCP', port: 443, backendPort: 8443 },
      { protocol: 'UDP', port: 5, backendPort: 5 },
      { protocol: 'UDP', port: 53, backendPort: 5353 },
    ]);
    assert.deepEqual(b, a);
  });

  const backendCases: readonly { readonly name: string; readonly targetPort: number | string | null; readonly backendPort: number }[] = [
    { name: 'uses targetPort as the backend port', targetPort: 9000, backendPort: 9000 },
    { name: 'falls back to port when targetPort is unset', targetPort: null, backendPort: 80 },
    { name: 'falls back to port when targetPort is 0', targetPort: 0, backendPort: 80 },
    { name: 'falls back to port when targetPort is "0"', targetPort: '0', backendPort: 80 },
  ];
  for (const c of backendCases) {
    it(c.name, () => {
      const config = admittedConfig(admitInboundService(service('web', { ports: [tcp(80, c.targetPort)] })));
      assert.deepEqual(config.ports, [{ protocol: 'TCP', port: 80, backendPort: c.backendPort }]);
    });
  }

  it('defaults the idle timeout to 4 minutes without the annotation', () => {
    const config = admittedConfig(admitInboundService(service('web')));
    assert.equal(DEFAULT_IDLE_TIMEOUT_MINUTES, 4);
    assert.equal(config.idleTimeoutMinutes, 4);
  });

  const familyCases: readonly { readonly ipFamilies: string[]; readonly family: string }[] = [
    { ipFamilies: ['IPv4'], family: 'IPv4' },
    { ipFamilies: ['IPv6'], family: 'IPv6' },
    { ipFamilies: [], family: 'IPv4' },
  ];
  for (const c of familyCases) {
    it(`takes ipFamily ${c.family} from ipFamilies ${JSON.stringify(c.ipFamilies)}`, () => {
      const config = admittedConfig(admitInboundService(service('web', { ipFamilies: c.ipFamilies })));
      assert.equal(config.ipFamily, c.family);
    });
  }
});

describe('familyOfPublicIp', () => {
  it('tells the family of a public IP and refuses what is not one', () => {
    assert.equal(familyOfPublicIp('20.1.2.3'), 'IPv4');
    assert.equal(familyOfPublicIp('2603:1030::5'), 'IPv6');
    assert.equal(familyOfPublicIp('pending'), null);
  });
});
