// Paging resumes after the last key served, so the pages of a list are stable: an unchanged list
// comes back whole, in order, never more than `limit` per page; a list that changes between pages
// still serves every item present throughout exactly once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { byKey, pageAfter } from '../../../shared/engine/paging.ts';
import type { Keyed, Page } from '../../../shared/engine/paging.ts';

const keys = fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 60 });
const keyed = (ks: readonly string[]): Keyed<string>[] => byKey(ks.map((k) => ({ key: k, item: k })));

describe('pageAfter', () => {
  it('serves an unchanged list whole and in key order, no page above the limit', () => {
    fc.assert(
      fc.property(keys, fc.integer({ min: 1, max: 20 }), (ks, limit) => {
        const list = keyed(ks);
        const served: string[] = [];
        let after: string | null = null;
        let pages = 0;
        do {
          const p: Page<string> = pageAfter(list, after, limit);
          assert.ok(p.items.length <= limit);
          served.push(...p.items);
          after = p.lastKey;
          pages++;
        } while (after !== null);
        assert.deepEqual(served, list.map((e) => e.item));
        assert.equal(pages, Math.max(1, Math.ceil(list.length / limit)));
      }),
    );
  });

  it('serves every item present throughout exactly once when the list changes between pages', () => {
    fc.assert(
      fc.property(fc.array(keys, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 10 }), (versions, limit) => {
        const served: string[] = [];
        let after: string | null = null;
        let i = 0;
        do {
          const p: Page<string> = pageAfter(keyed(versions[Math.min(i, versions.length - 1)] ?? []), after, limit);
          served.push(...p.items);
          after = p.lastKey;
          i++;
        } while (after !== null);
        assert.equal(new Set(served).size, served.length, 'nothing served twice');
        // Pages past the last version see the last version again, so "throughout" is "in every version".
        const throughout = (versions[0] ?? []).filter((k) => versions.every((v) => v.includes(k)));
        for (const k of throughout) assert.ok(served.includes(k), `${JSON.stringify(k)} skipped`);
      }),
    );
  });
});
