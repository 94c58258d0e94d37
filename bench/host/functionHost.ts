// The function side of the benchmark as a process of its own, so that its memory is the function
// host's and nothing else's: the real handlers (engine, serviceOps, locations and its timer) under
// the local queue-trigger host with host.json's concurrency, their Service Bus, Table and ARM
// clients, and the engine. Azurite, the broker and the simulators run in the parent. Started by
// functionHostProcess.ts; reports executions, busy time and Table requests over IPC.
import azf from '@azure/functions';
import { ServiceBusClient } from '@azure/service-bus';
import { registered } from '../../local/host/functionsCore.ts';
import { configureDependencies } from '../../functions/dependencies.ts';
import type { Dependencies } from '../../functions/dependencies.ts';
import { nextFire } from '../../local/host/ncrontab.ts';
import { localNetwork } from '../../local/host/nrpNetwork.ts';
import { QueueTrigger } from '../../local/host/queueTrigger.ts';
import { ServiceBusMessageSender } from '../../shared/bus/serviceBusSender.ts';
import { defaultEngineConfig } from '../../shared/engine/config.ts';
import { tableStateStoreFromConnectionString } from '../../shared/state/tableStateStore.ts';
import { HOST_CONFIG_ENV, functionHostConfigSchema, isParentMessage } from './functionHostProtocol.ts';
import type { ChildMessage, FunctionHostStats } from './functionHostProtocol.ts';
import { serviceBusTriggerSettings } from '../../local/host/hostJson.ts';
import { remoteNrp } from './remoteNrp.ts';
import { TableRequestCounter, tableEndpointOf } from './tableRequestCounter.ts';

const { InvocationContext } = azf;

await import('../../functions/engine.ts');
await import('../../functions/serviceOps.ts');
await import('../../functions/locations.ts');

const config = functionHostConfigSchema.parse(JSON.parse(process.env[HOST_CONFIG_ENV] ?? '{}'));
const settings = serviceBusTriggerSettings(new URL('../../host.json', import.meta.url));
const tableRequests = new TableRequestCounter(tableEndpointOf(config.tablesConnectionString));
const send = (m: ChildMessage, then?: () => void): void => {
  process.send?.(m, undefined, {}, () => then?.());
};

// The trigger host reports an invocation that threw (its messages are abandoned and come back)
// only as a line: count those, they cost a redelivery.
let failedInvocations = 0;
let closedBeforeInvocation = 0;
const log = (line: string): void => {
  if (/^\[[^\]]+\] invocation failed/.test(line)) failedInvocations += 1;
  if (/^\[[^\]]+\] receiver closed before the invocation/.test(line)) closedBeforeInvocation += 1;
  process.stderr.write(`[function host ${new Date().toISOString()}] ${line}\n`);
};

// Executions and the time at least one of them runs.
const executions = new Map<string, number>();
let inFlight = 0;
let busySince = 0;
let busyMs = 0;
// BENCH_DEBUG=1: each invocation's duration on stderr (what bounds a run is usually the engine).
const debug = process.env['BENCH_DEBUG'] !== undefined;
const startedAt = new Map<string, number[]>();
const invocation = (name: string) => (delta: 1 | -1): void => {
  if (debug) {
    const starts = startedAt.get(name) ?? [];
    if (delta === 1) starts.push(performance.now());
    else process.stderr.write(`  [function host] ${name} took ${(performance.now() - (starts.shift() ?? 0)).toFixed(0)} ms\n`);
    startedAt.set(name, starts);
  }
  if (delta === 1) {
    executions.set(name, (executions.get(name) ?? 0) + 1);
    if (inFlight === 0) busySince = performance.now();
  }
  inFlight += delta;
  if (inFlight === 0) busyMs += performance.now() - busySince;
};
const stats = (): FunctionHostStats => ({
  executions: Object.fromEntries(executions),
  failedInvocations,
  closedBeforeInvocation,
  busyMs: busyMs + (inFlight > 0 ? performance.now() - busySince : 0),
  inFlight,
  tableRequests: tableRequests.snapshot(),
  rssBytes: process.memoryUsage.rss(),
  heapUsedBytes: process.memoryUsage().heapUsed,
});

const client = new ServiceBusClient(config.brokerConnectionString, { retryOptions: { timeoutInMs: 5_000 } });
const tableOptions = { clientOptions: { allowInsecureConnection: true } };
const deps: Dependencies = {
  store: tableStateStoreFromConnectionString(config.tablesConnectionString, tableOptions),
  sender: new ServiceBusMessageSender(client),
  network: localNetwork(remoteNrp(config.nrp), config.cluster, config.tablesConnectionString, config.writeBudget),
  engineConfig: { ...defaultEngineConfig, ...config.engineConfig },
  now: () => Date.now(),
  random: () => Math.random(),
  clusters: [config.cluster],
};
configureDependencies(() => Promise.resolve(deps));

const triggers: QueueTrigger[] = [];
let timer: NodeJS.Timeout | null = null;
let stopping = false;
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
      maxConcurrentSessions: settings.maxConcurrentSessions,
      maxConcurrentCalls: settings.maxConcurrentCalls,
      maxMessageBatchSize: config.maxMessageBatchSize ?? settings.maxMessageBatchSize,
      sessionIdleTimeoutMs: settings.sessionIdleTimeoutMs,
      maxAutoLockRenewalDurationMs: settings.maxAutoLockRenewalDurationMs,
      onInvocation: invocation(name),
      log,
    });
    t.start();
    triggers.push(t);
  } else if (trigger?.['type'] === 'timerTrigger') {
    const schedule = String(trigger['schedule']);
    const count = invocation(name);
    const arm = (): void => {
      const at = nextFire(schedule, Date.now());
      timer = setTimeout(() => {
        count(1);
        const ctx = new InvocationContext({ invocationId: `timer-${at}`, functionName: name });
        const timerInfo = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: new Date(at).toISOString(), next: new Date(nextFire(schedule, at)).toISOString(), lastUpdated: new Date(at).toISOString() } };
        Promise.resolve(r.handler(timerInfo, ctx))
          .catch((e: unknown) => log(`${name} failed: ${String(e)}`))
          .finally(() => {
            count(-1);
            if (!stopping) arm();
          });
      }, at - Date.now());
    };
    arm();
  }
}

process.on('message', (m: unknown) => {
  if (!isParentMessage(m)) return;
  if (m.kind === 'stats') {
    send({ kind: 'stats', stats: stats() });
    return;
  }
  stopping = true;
  if (timer) clearTimeout(timer);
  void (async () => {
    await Promise.all(triggers.map((t) => t.stop()));
    await client.close().catch(() => undefined);
    send({ kind: 'stats', stats: stats() }, () => process.exit(0));
  })();
});
// The parent is gone (crashed or killed): nobody will stop this host, so it stops itself.
process.on('disconnect', () => process.exit(1));
send({ kind: 'ready' });
