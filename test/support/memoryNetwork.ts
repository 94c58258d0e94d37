// The network port over the strict in-memory NRP model, for tests of the functions until the NRP
// simulator speaks ARM (issue 4). Faults can be armed per call kind.
import { NetworkError } from '../../shared/azure/networkProvider.ts';
import type { NetworkProvider } from '../../shared/azure/networkProvider.ts';
import type { LocationsRequest, ManagedResource, NrpServiceType, ObservedLocation, OperationOutcome, ServiceOperation } from '../../shared/engine/types.ts';
import { NrpModel } from './world.ts';

export class MemoryNetwork implements NetworkProvider {
  readonly nrp = new NrpModel();
  readonly calls: string[] = [];
  /** Fail the next N calls of a kind with this error. */
  private readonly faults = new Map<string, { times: number; error: NetworkError }>();

  failNext(kind: 'operation' | 'updateAddressLocations', times: number, error: NetworkError): void {
    this.faults.set(kind, { times, error });
  }

  private fault(kind: string): NetworkError | null {
    const f = this.faults.get(kind);
    if (!f || f.times <= 0) return null;
    f.times--;
    return f.error;
  }

  executeServiceOperation(operation: ServiceOperation): Promise<OperationOutcome> {
    this.calls.push(`${operation.operation}:${operation.serviceName}`);
    const f = this.fault('operation');
    if (f) return Promise.resolve({ result: 'failure', terminal: f.terminal, code: f.code, message: f.message });
    return Promise.resolve(this.nrp.applyOperation(operation));
  }

  updateAddressLocations(request: LocationsRequest): Promise<void> {
    this.calls.push('updateAddressLocations');
    const f = this.fault('updateAddressLocations');
    if (f) return Promise.reject(f);
    const error = this.nrp.applyRequest(request);
    if (error) return Promise.reject(new NetworkError(error, error, { terminal: true, outcomeUnknown: false }));
    return Promise.resolve();
  }

  listServices(): Promise<{ name: string; type: NrpServiceType }[]> {
    return Promise.resolve([...this.nrp.services].map(([name, type]) => ({ name, type })));
  }

  listManagedResources(cluster: string): Promise<ManagedResource[]> {
    return Promise.resolve(this.nrp.listManaged(cluster));
  }

  listAddressLocations(): Promise<ObservedLocation[]> {
    return Promise.resolve(
      [...this.nrp.locations].map(([location, addrs]) => ({ location, addresses: [...addrs].map(([address, services]) => ({ address, services })) })),
    );
  }
}
