// Egress identities are user-chosen label values that NRP names resources after (reference §1.1).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_EGRESS_IDENTITY_LENGTH, checkEgressIdentity } from '../../../shared/engine/egressIdentity.ts';

const accepted: readonly { readonly name: string; readonly label: string; readonly identity: string }[] = [
  { name: 'a plain name', label: 'team-a', identity: 'team-a' },
  { name: 'a single letter', label: 'a', identity: 'a' },
  { name: 'a single digit', label: '7', identity: '7' },
  { name: 'dots, dashes and underscores inside', label: 'a.b-c_d', identity: 'a.b-c_d' },
  { name: 'an underscore at the end', label: 'team_', identity: 'team_' },
  { name: 'a leading digit', label: '1team', identity: '1team' },
  { name: 'upper case, lower-cased', label: 'Team-A.Prod', identity: 'team-a.prod' },
  { name: 'a name of exactly 73 characters', label: 'a'.repeat(73), identity: 'a'.repeat(73) },
  { name: 'a 73-character name in upper case', label: `X${'y'.repeat(71)}Z`, identity: `x${'y'.repeat(71)}z` },
  { name: 'a name that merely contains the reserved one', label: 'default-natgw-2', identity: 'default-natgw-2' },
];

const invalid: readonly { readonly name: string; readonly label: string }[] = [
  { name: 'an empty label', label: '' },
  { name: 'a name of 74 characters', label: 'a'.repeat(74) },
  { name: 'a trailing dash', label: 'team-' },
  { name: 'a trailing dot', label: 'team.' },
  { name: 'a leading dash', label: '-team' },
  { name: 'a leading dot', label: '.team' },
  { name: 'a leading underscore', label: '_team' },
  { name: 'a lone underscore', label: '_' },
  { name: 'a slash', label: 'team/a' },
  { name: 'a space', label: 'team a' },
  { name: 'a colon', label: 'team:a' },
  { name: 'a non-ASCII letter', label: 'tëam' },
];

describe('checkEgressIdentity', () => {
  it('allows 73 characters: 80 for a PIP name minus "-pip-v6"', () => {
    assert.equal(MAX_EGRESS_IDENTITY_LENGTH, 80 - '-pip-v6'.length);
    assert.equal(MAX_EGRESS_IDENTITY_LENGTH, 73);
  });

  for (const c of accepted) {
    it(`accepts ${c.name}`, () => {
      assert.deepEqual(checkEgressIdentity(c.label), { valid: true, identity: c.identity });
    });
  }

  for (const c of invalid) {
    it(`rejects ${c.name} as InvalidEgressLabel`, () => {
      const r = checkEgressIdentity(c.label);
      assert.equal(r.valid, false);
      if (!r.valid) {
        assert.equal(r.reason, 'InvalidEgressLabel');
        assert.ok(r.message.length > 0);
      }
    });
  }

  for (const label of ['default-natgw', 'DEFAULT-NATGW', 'Default-NatGw']) {
    it(`rejects the reserved name written ${JSON.stringify(label)} as ReservedEgressLabel`, () => {
      const r = checkEgressIdentity(label);
      assert.equal(r.valid, false);
      if (!r.valid) assert.equal(r.reason, 'ReservedEgressLabel');
    });
  }

  it('sets the boundary at exactly 73 for every allowed last character', () => {
    for (const last of ['a', '9', '_']) {
      assert.equal(checkEgressIdentity(`a${'b'.repeat(71)}${last}`).valid, true, `73 ending in ${last}`);
      assert.equal(checkEgressIdentity(`a${'b'.repeat(72)}${last}`).valid, false, `74 ending in ${last}`);
    }
  });
});
