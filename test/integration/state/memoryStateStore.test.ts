// The in-memory StateStore against the shared contract.
import { MemoryStateStore } from '../../../shared/state/memoryStateStore.ts';
import { describeStateStoreContract } from './stateStore.contract.ts';

describeStateStoreContract('MemoryStateStore', () => {
  let written: string[] = [];
  const store = new MemoryStateStore({ onRowsWritten: (rowKeys) => written.push(...rowKeys) });
  return Promise.resolve({
    store,
    takeRowWrites: () => {
      const out = written;
      written = [];
      return out;
    },
  });
});
