// A listing of this engine's Azure resources as the events that carry it to the engine: parts of
// at most `maxChars` characters of JSON each, numbered from 0, the last one final, so that the
// engine can tell a whole listing from one that lost a part (azureListing.ts). Pure, so the
// locations function can build them from what the adapter listed.
import type { EngineEvent, ManagedResource } from './types.ts';

type Listing = Extract<EngineEvent, { kind: 'AzureResourcesObserved' }>;

const byId = (a: ManagedResource, b: ManagedResource): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Sorted by id, so the same listing makes the same parts (and message ids) on a redelivery. An
 * empty listing is one empty part: it still tells the engine that nothing of its is left. */
export function listingParts(nrpEpoch: number, resources: readonly ManagedResource[], maxChars: number): Listing[] {
  const groups: ManagedResource[][] = [[]];
  // A part's array is its items, a comma after each but the last, and two brackets: 1 + Σ(item + 1).
  let size = 1;
  for (const r of [...resources].sort(byId)) {
    const n = JSON.stringify(r).length + 1;
    const current = groups[groups.length - 1] ?? [];
    if (size + n > maxChars && current.length > 0) {
      groups.push([r]);
      size = 1 + n;
    } else {
      current.push(r);
      size += n;
    }
  }
  return groups.map((group, part) => ({ kind: 'AzureResourcesObserved', nrpEpoch, resources: group, part, final: part === groups.length - 1 }));
}
