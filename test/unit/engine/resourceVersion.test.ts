// Ordering of resourceVersions: numeric where they are numbers, otherwise only equality is known.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareResourceVersions } from '../../../shared/engine/resourceVersion.ts';

const cases: readonly { readonly name: string; readonly a: string; readonly b: string; readonly want: -1 | 0 | 1 | null }[] = [
  { name: 'orders "9" before "10" numerically, not as strings', a: '9', b: '10', want: -1 },
  { name: 'orders "10" after "9"', a: '10', b: '9', want: 1 },
  { name: 'calls equal strings equal', a: '12345', b: '12345', want: 0 },
  { name: 'calls equal non-numeric strings equal', a: 'abc', b: 'abc', want: 0 },
  { name: 'calls numerically equal versions with leading zeros equal', a: '007', b: '7', want: 0 },
  { name: 'compares numbers beyond 2^53 exactly', a: '9007199254740993', b: '9007199254740992', want: 1 },
  { name: 'cannot order a non-numeric version against a numeric one', a: 'abc', b: '10', want: null },
  { name: 'cannot order two different non-numeric versions', a: 'v2', b: 'v10', want: null },
  { name: 'cannot order an empty version', a: '', b: '1', want: null },
  { name: 'does not read a negative sign as a number', a: '-1', b: '1', want: null },
  { name: 'does not read a decimal as a number', a: '1.5', b: '2', want: null },
];

describe('compareResourceVersions', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(compareResourceVersions(c.a, c.b), c.want);
    });
  }
});
