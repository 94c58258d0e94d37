// The whole product on one machine: Azurite (tables), the AMQP test broker (Service Bus), the NRP
// simulator (Azure), the Kubernetes API simulator (the cluster), the real forwarder against the
// simulated cluster, and the real function handlers run by a small stand-in for the Functions host
// (queue triggers as host.json configures them, the timer on its schedule).
import azf from '@azure/functions';
import { ServiceBusClient } from '@azure/service-bus';
import { KubeConfig } from '@kubernetes/client-node';
// Installs the fake @azure/functions-core before the function modules register themselves.
import { registered } from './functionsCore.ts';
import { configureDependencies } from '../../functions/dependencies.ts';
import type { Dependencies } from '../../functions/dependencies.ts';
import { startForwarder } from '../../forwarder/forwarder.ts';
import type { Forwarder } from '../../forwarder/forwarder.ts';
import type { Logger } from '../../forwarder/log.ts';
import { ServiceBusMessageSender } from '../../shared/bus/serviceBusSender.ts';
import { defaultEngineConfig } from '../../shared/engine/config.ts';
import type { ClusterState } from '../../shared/engine/types.ts';
import type { MessageSender } from '../../shared/messages/outgoing.ts';
import { QUEUES } from '../../shared/messages/outgoing.ts';
import type { StateStore } from '../../shared/state/stateStore.ts';
import { TableStateStore, tableStateStoreFromConnectionString } from '../../shared/state/tableStateStore.ts';
import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import type { ServiceBusClientOptions } from '@azure/service-bus';
import type { NetworkProvider } from '../../shared/azure/networkProvider.ts';
import type { ThrottleStore } from '../../shared/azure/throttleStore.ts';
import { TableThrottleStore, tableThrottleStoreFromConnectionString } from '../../shared/azure/tableThrottleStore.ts';
import { DEFAULT_THROTTLE_TABLE } from '../../shared/azure/throttleDefaults.ts';
import { NO_REAL_ADAPTERS } from './realAdapters.ts';
import { startBroker } from '../sim/bus/broker.ts';
import type { QueueConfig } from '../sim/bus/broker.ts';
import { startKubeSimulator } from '../sim/kube/server.ts';
import { startNrpSimulator } from '../sim/nrp/server.ts';
import { startAzuriteTables } from './azurite.ts';
import { serveHttpFunctions } from './httpFunctions.ts';
import type { HttpFunctionsServer } from './httpFunctions.ts';
import { nextFire } from './ncrontab.ts';
import { azureNetwork, localNetwork } from './nrpNetwork.ts';
import type { Component, LocalPipeline, PendingWork, PipelineOptions } from './pipeline.types.ts';
import { QueueTrigger } from './queueTrigger.ts';
import { serviceBusTriggerSettings } from './hostJson.ts';

const HOST_SETTINGS = serviceBusTriggerSettings(new URL('../../host.json', import.meta.url));

export type { Component, LocalPipeline, PendingWork, Pipeline, PipelineOptions } from './pipeline.types.ts';

const { InvocationContext } = azf;

await import('../../functions/engine.ts');
await import('../../functions/serviceOps.ts');
await import('../../functions/locations.ts');
await import('../../functions/debug.ts');

/** The queues as infra/ declares them: sessions where the engine needs one writer per cluster. */
// Locks of 5 s (Azure's default is 1 min) so that a message held by a crashed handler comes back
// quickly in local runs; live handlers keep theirs by automatic renewal.
export function queueConfig(lockDurationMs = 5_000): QueueConfig[] {
  return [
    { name: 'engine-events', requiresSession: true, maxDeliveryCount: 10, lockDurationMs },
    { name: 'service-ops', maxDeliveryCount: 10, lockDurationMs },
    { name: 'locations-sync', requiresSession: true, maxDeliveryCount: 10, lockDurationMs },
    { name: 'k8s-actions', requiresSession: true, maxDeliveryCount: 10 },
    { name: 'rejected-messages' },
  ];
}

/** A store whose next requests can be made to fail (the scenario fault `tables`). */
/**
 * One start of the function side. A restart is a crash: invocations of the stopped generation may
 * still be awaiting something, but everything they touch refuses them from then on, as it would
 * after a real process exit, and they no longer count as work in flight.
 */
interface Generation {
  alive: boolean;
  inFlight: number;
}

function stillAlive(g: Generation): void {
  if (!g.alive) throw new Error('the functions host of this invocation was stopped (local restart)');
}

/** Every method of `target` refuses to run once the generation is stopped. */
function untilStopped<T extends object>(target: T, g: Generation): T {
  return new Proxy(target, {
    get(t, prop, receiver): unknown {
      const v: unknown = Reflect.get(t, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]): unknown => {
        stillAlive(g);
        return (v as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

class FaultyStore implements StateStore {
  readonly inner: StateStore;
  private readonly generation: Generation;
  failures = 0;
  constructor(inner: StateStore, generation: Generation) {
    this.inner = inner;
    this.generation = generation;
  }
  private check(): void {
    stillAlive(this.generation);
    if (this.failures > 0) {
      this.failures--;
      throw new Error('injected Table Storage failure');
    }
  }
  async load(...args: Parameters<StateStore['load']>): ReturnType<StateStore['load']> {
    this.check();
    return this.inner.load(...args);
  }
  async save(...args: Parameters<StateStore['save']>): ReturnType<StateStore['save']> {
    this.check();
    return this.inner.save(...args);
  }
  async stamp(...args: Parameters<StateStore['stamp']>): ReturnType<StateStore['stamp']> {
    this.check();
    return this.inner.stamp(...args);
  }
}

/** A sender whose next sends can be made to fail (the scenario fault `bus`). */
class FaultySender implements MessageSender {
  readonly inner: MessageSender;
  private readonly generation: Generation;
  failures = 0;
  constructor(inner: MessageSender, generation: Generation) {
    this.inner = inner;
    this.generation = generation;
  }
  async send(...args: Parameters<MessageSender['send']>): Promise<void> {
    stillAlive(this.generation);
    if (this.failures > 0) {
      this.failures--;
      throw new Error('injected Service Bus send failure');
    }
    await this.inner.send(...args);
  }
}

function quietLogger(log: ((line: string) => void) | undefined): Logger {
  const at = (level: string) => (msg: string, fields: Readonly<Record<string, unknown>> = {}): void => {
    if (level === 'debug' || level === 'info') return;
    log?.(`[forwarder] ${level}: ${msg} ${JSON.stringify(fields)}`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export async function startPipeline(options: PipelineOptions = {}): Promise<LocalPipeline> {
  const cluster = options.cluster ?? 'demo';
  const log = options.log;
  const [tables, broker, nrp, kube] = await Promise.all([
    startAzuriteTables(),
    startBroker({ queues: queueConfig(options.queueLockDurationMs) }),
    startNrpSimulator({
      subscriptionId: '00000000-0000-0000-0000-000000000000',
      resourceGroup: 'rg-local',
      location: 'eastus2',
      latency: options.nrpLatency,
      // NRP's own per-subscription limits (limits.md): 1,000 writes and 10,000 reads per 5 minutes.
      throttle: { writes: { burst: 1_000, refillPerSecond: 1_000 / 300 }, reads: { burst: 10_000, refillPerSecond: 10_000 / 300 } },
    }),
    startKubeSimulator({ bookmarkIntervalMs: 5_000, historySize: options.kubeHistorySize }),
  ]);
  if (options.kubeconfigPath) await kube.writeKubeconfig(options.kubeconfigPath);
  const kubeConfig = new KubeConfig();
  const real = options.real ?? NO_REAL_ADAPTERS;
  if (real.kubeconfigPath) kubeConfig.loadFromFile(real.kubeconfigPath);
  else kubeConfig.loadFromString(JSON.stringify(kube.kubeconfig()));
  // Each part is the local stand-in unless configured real (local/host/realAdapters.ts).
  const credential = new DefaultAzureCredential();
  const busClient = (o: ServiceBusClientOptions = {}): ServiceBusClient => {
    const bus = real.serviceBus;
    if (bus === null) return new ServiceBusClient(broker.connectionString, o);
    return 'namespace' in bus ? new ServiceBusClient(bus.namespace, credential, o) : new ServiceBusClient(bus.connectionString, o);
  };
  // http is allowed for emulator endpoints (Azurite); an https account is unaffected by it.
  const tableClientOptions = { clientOptions: { allowInsecureConnection: true } };
  const stateStore = (): StateStore => {
    const st = real.storage;
    if (st === null) return tableStateStoreFromConnectionString(tables.connectionString, tableClientOptions);
    return 'tableEndpoint' in st ? new TableStateStore(new TableClient(st.tableEndpoint, 'engineState', credential)) : tableStateStoreFromConnectionString(st.connectionString, tableClientOptions);
  };
  const throttleStore = (): ThrottleStore => {
    const st = real.storage;
    if (st === null) return tableThrottleStoreFromConnectionString(tables.connectionString, tableClientOptions);
    return 'tableEndpoint' in st ? new TableThrottleStore(new TableClient(st.tableEndpoint, DEFAULT_THROTTLE_TABLE, credential)) : tableThrottleStoreFromConnectionString(st.connectionString, tableClientOptions);
  };
  const network = (): NetworkProvider => (real.network === null ? localNetwork(nrp, cluster, tables.connectionString, writeBudget) : azureNetwork(real.network, throttleStore(), credential));
  const engineConfig = { ...defaultEngineConfig, locationsSyncIntervalMs: 200, ...options.engineConfig };
  const writeBudget = Object.fromEntries(Object.entries(options.nrpWriteBudget ?? {}).filter(([, v]) => v !== undefined));

  let generation: Generation = { alive: true, inFlight: 0 };
  let functionsClient: ServiceBusClient | null = null;
  let triggers: QueueTrigger[] = [];
  let timer: NodeJS.Timeout | null = null;
  let store: FaultyStore | null = null;
  let sender: FaultySender | null = null;
  let forwarderClient: ServiceBusClient | null = null;
  let forwarder: Forwarder | null = null;

  const startFunctions = (): void => {
    // A short operation timeout: a session trigger waiting for a session gives up (and looks again)
    // within it, which is also how long an abandoned wait can outlive a restart.
    const client = busClient({ retryOptions: { timeoutInMs: 5_000 } });
    functionsClient = client;
    const g: Generation = { alive: true, inFlight: 0 };
    generation = g;
    store = new FaultyStore(stateStore(), g);
    sender = new FaultySender(new ServiceBusMessageSender(client), g);
    const deps: Dependencies = {
      store,
      sender,
      network: untilStopped(network(), g),
      engineConfig,
      now: () => Date.now(),
      random: () => Math.random(),
      clusters: [cluster],
    };
    configureDependencies(() => Promise.resolve(deps));
    triggers = [];
    for (const [name, r] of registered) {
      const trigger = Object.values(r.metadata.bindings).find((b) => b['direction'] === 'in' && typeof b['type'] === 'string' && b['type'].endsWith('Trigger'));
      if (trigger?.['type'] === 'serviceBusTrigger') {
        const t = new QueueTrigger({
          client,
          functionName: name,
          queueName: String(trigger['queueName']),
          sessions: trigger['isSessionsEnabled'] === true,
          many: trigger['cardinality'] === 'many',
          handler: r.handler,
          maxConcurrentSessions: 2,
          maxConcurrentCalls: 4,
          sessionIdleTimeoutMs: 200,
          // Smaller concurrency than production, but its lock renewal: a busy session is held for minutes.
          maxAutoLockRenewalDurationMs: HOST_SETTINGS.maxAutoLockRenewalDurationMs,
          onInvocation: (d) => (g.inFlight += d),
          log,
        });
        t.start();
        triggers.push(t);
      } else if (trigger?.['type'] === 'timerTrigger') {
        const schedule = String(trigger['schedule']);
        const arm = (): void => {
          const at = nextFire(schedule, Date.now());
          timer = setTimeout(() => {
            g.inFlight++;
            const ctx = new InvocationContext({ invocationId: `timer-${at}`, functionName: name, logHandler: (level, ...a) => level === 'warning' || level === 'error' ? log?.(`[${name}] ${a.map(String).join(' ')}`) : undefined });
            const timerInfo = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: new Date(at).toISOString(), next: new Date(nextFire(schedule, at)).toISOString(), lastUpdated: new Date(at).toISOString() } };
            const fired = Promise.resolve(r.handler(timerInfo, ctx));
            fired.catch((e: unknown) => log?.(`[${name}] failed: ${String(e)}`)).finally(() => {
              g.inFlight--;
              if (g.alive) arm();
            });
          }, at - Date.now());
          timer.unref();
        };
        arm();
      }
    }
  };

  const stopFunctions = async (): Promise<void> => {
    generation.alive = false;
    if (timer) clearTimeout(timer);
    await Promise.all(triggers.map((t) => t.stop()));
    triggers = [];
    await functionsClient?.close().catch(() => undefined);
    functionsClient = null;
  };

  const startTheForwarder = async (): Promise<void> => {
    forwarderClient = busClient();
    forwarder = await startForwarder({ cluster, kubeConfig, serviceBus: forwarderClient, log: quietLogger(log), httpPort: null, retryMinMs: 100, actionReceiveWaitMs: 500, actionRetryDelayMs: 200 });
  };

  const stopTheForwarder = async (graceMs: number): Promise<void> => {
    await forwarder?.stop(graceMs);
    forwarder = null;
    await forwarderClient?.close().catch(() => undefined);
    forwarderClient = null;
  };

  const functionsHere = options.inProcess?.functions ?? true;
  const forwarderHere = options.inProcess?.forwarder ?? true;
  if (functionsHere) startFunctions();
  if (forwarderHere) await startTheForwarder();
  const http: HttpFunctionsServer | null = options.httpPort === null || options.httpPort === undefined ? null : await serveHttpFunctions(options.httpPort, '127.0.0.1', log);

  // One reader for the settle loop's polling (a client per poll would re-check the table each time).
  const reader = stateStore();
  const loadState = async (): Promise<ClusterState> => (await reader.load(cluster)).state;

  return {
    cluster,
    kube,
    nrp,
    broker,
    httpUrl: http?.url ?? null,
    armTablesFault(_status, times) {
      if (store) store.failures += times;
    },
    armBusFault(times) {
      if (sender) sender.failures += times;
    },
    tablesConnectionString: tables.connectionString,
    async restart(component: Component) {
      log?.(`restarting ${component}`);
      const functions = functionsHere && (component === 'functions' || component === 'all');
      const theForwarder = forwarderHere && (component === 'forwarder' || component === 'all');
      if (functions) await stopFunctions();
      if (theForwarder) await stopTheForwarder(0);
      if (functions) startFunctions();
      if (theForwarder) await startTheForwarder();
    },
    async pending(): Promise<PendingWork> {
      const queues: Record<string, number> = {};
      // A real namespace's queues are not visible from here (that needs the management plane).
      for (const q of real.serviceBus === null ? QUEUES : []) {
        const s = broker.peekState(q);
        // Scheduled messages are the engine's wake-ups (backoff, timeouts): work already decided,
        // visible in the operations below; rejected messages are reported, not processed.
        queues[q] = q === 'rejected-messages' ? 0 : s.active + s.locked;
      }
      const state = await loadState();
      const operations: Record<string, string> = {};
      for (const [name, op] of state.ops) if (op.state !== 'Created' || op.inFlight !== null) operations[name] = op.state;
      return {
        queues,
        forwarderOutbox: forwarder?.outboxSize() ?? 0,
        invocationsInFlight: generation.inFlight,
        operations,
        locationsPending: state.sync.inFlight !== null || state.sync.dirty,
      };
    },
    engineState: loadState,
    async stop() {
      await http?.stop();
      await stopTheForwarder(1_000);
      await stopFunctions();
      await Promise.all([broker.stop(), nrp.stop(), kube.stop(), tables.stop()]);
    },
  };
}
