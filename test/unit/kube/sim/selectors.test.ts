// Label and field selector parsing and matching, as labels.Parse and fields.ParseSelector do it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldsOf, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, supportedFields } from '../../../../local/sim/kube/selectors.ts';

const EGRESS = 'kubernetes.azure.com/service-egress-gateway';

function labelMatch(selector: string, labels: Record<string, string>): boolean {
  const parsed = parseLabelSelector(selector);
  assert.ok(parsed.ok, `parses: ${selector}`);
  return matchesLabels(parsed.value, labels);
}

describe('parseLabelSelector', () => {
  const cases: { name: string; selector: string; labels: Record<string, string>; want: boolean }[] = [
    { name: 'matches everything with an empty selector', selector: '', labels: {}, want: true },
    { name: 'matches an exists requirement on a prefixed key', selector: EGRESS, labels: { [EGRESS]: 'gw' }, want: true },
    { name: 'rejects an exists requirement when the key is absent', selector: EGRESS, labels: { app: 'x' }, want: false },
    { name: 'matches a does-not-exist requirement when the key is absent', selector: `!${EGRESS}`, labels: {}, want: true },
    { name: 'matches = and == alike', selector: 'app=web,tier==front', labels: { app: 'web', tier: 'front' }, want: true },
    { name: 'matches != when the key is absent', selector: 'app!=web', labels: {}, want: true },
    { name: 'rejects != when the value is equal', selector: 'app!=web', labels: { app: 'web' }, want: false },
    { name: 'matches in with spaces around the set', selector: 'env in ( prod , staging )', labels: { env: 'staging' }, want: true },
    { name: 'rejects in when the key is absent', selector: 'env in (prod)', labels: {}, want: false },
    { name: 'matches notin when the key is absent', selector: 'env notin (prod)', labels: {}, want: true },
    { name: 'rejects notin for a listed value', selector: 'env notin (prod,dev)', labels: { env: 'dev' }, want: false },
    { name: 'matches an empty value with key=', selector: 'app=', labels: { app: '' }, want: true },
    { name: 'compares numbers with gt and lt', selector: 'replicas>2,replicas<5', labels: { replicas: '3' }, want: true },
    { name: 'needs every requirement to hold', selector: 'app=web,env in (prod)', labels: { app: 'web', env: 'dev' }, want: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(labelMatch(c.selector, c.labels), c.want));
  }

  const bad = ['app in (', 'app in ()', 'app=a=b', '=x', 'app notin prod', 'Bad Key!', 'app=bad value!', 'a,', 'x>y'];
  for (const selector of bad) {
    it(`rejects the malformed selector ${JSON.stringify(selector)} with a parse message`, () => {
      const parsed = parseLabelSelector(selector);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.message, /^unable to parse requirement: /);
    });
  }
});

describe('parseFieldSelector', () => {
  const supported = supportedFields('Service', true);

  it('parses =, == and != on metadata fields and matches them', () => {
    const parsed = parseFieldSelector('metadata.name=web,metadata.namespace!=kube-system', supported);
    assert.ok(parsed.ok);
    const obj = { metadata: { name: 'web', namespace: 'default' } };
    assert.equal(matchesFields(parsed.value, fieldsOf('Service', true, obj)), true);
    assert.equal(matchesFields(parsed.value, fieldsOf('Service', true, { metadata: { name: 'web', namespace: 'kube-system' } })), false);
    const double = parseFieldSelector('metadata.name==web', supported);
    assert.ok(double.ok);
    assert.equal(matchesFields(double.value, fieldsOf('Service', true, obj)), true);
  });

  it('rejects a field the kind does not index', () => {
    assert.deepEqual(parseFieldSelector('spec.type=LoadBalancer', supported), { ok: false, message: 'field label not supported: spec.type' });
  });

  it('rejects a term without an operator', () => {
    const parsed = parseFieldSelector('metadata.name', supported);
    assert.equal(parsed.ok, false);
  });

  it('lets pods select on spec.nodeName and events on involvedObject fields', () => {
    const pods = parseFieldSelector('spec.nodeName=node-a', supportedFields('Pod', true));
    assert.ok(pods.ok);
    assert.equal(matchesFields(pods.value, fieldsOf('Pod', true, { metadata: { name: 'p' }, spec: { nodeName: 'node-a' } })), true);
    const events = parseFieldSelector('involvedObject.kind=Service,involvedObject.name=web', supportedFields('Event', true));
    assert.ok(events.ok);
    assert.equal(matchesFields(events.value, fieldsOf('Event', true, { metadata: { name: 'e' }, involvedObject: { kind: 'Service', name: 'web' } })), true);
  });

  it('keeps an escaped comma inside a value', () => {
    const parsed = parseFieldSelector('metadata.name=a\\,b', supported);
    assert.ok(parsed.ok);
    assert.equal(parsed.value[0]?.value, 'a,b');
  });
});
