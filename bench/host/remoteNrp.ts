// The NRP simulator as seen from a process that does not run it: its address is real; controlling
// it (faults, counters, latency) belongs to the process that started it.
import type { NrpSimulator } from '../../local/sim/nrp/server.ts';

export type NrpAddress = Pick<NrpSimulator, 'baseUrl' | 'subscriptionId' | 'resourceGroup' | 'location'>;

function elsewhere(): never {
  throw new Error('the NRP simulator runs in another process: control it there');
}

export function remoteNrp(address: NrpAddress): NrpSimulator {
  return {
    ...address,
    port: Number(new URL(address.baseUrl).port),
    serviceGatewayName: 'servicegateway',
    serviceGatewayId: '',
    virtualNetworkId: '',
    stop: elsewhere,
    faults: { arm: elsewhere, clear: elsewhere, pending: elsewhere },
    calls: elsewhere,
    resetCalls: elsewhere,
    snapshot: elsewhere,
  };
}
