// The forwarder process: settings from the environment, in-cluster Kubernetes credentials (or
// KUBECONFIG), Service Bus through workload identity (or a connection string locally), and the
// signals. SIGTERM drains within FORWARDER_SHUTDOWN_GRACE_MS and exits 0; anything unexpected exits
// non-zero so that Kubernetes restarts the pod rather than leave a forwarder that silently stopped.
import { DefaultAzureCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';
import { KubeConfig } from '@kubernetes/client-node';
import { startForwarder } from './forwarder.ts';
import { errorText, jsonLogger } from './log.ts';
import { readForwarderSettings } from './settings.ts';

const settings = readForwarderSettings(process.env);
const log = jsonLogger({ level: settings.LOG_LEVEL });

process.on('unhandledRejection', (e) => {
  log.error('unhandled rejection; exiting', { error: errorText(e) });
  process.exit(1);
});
process.on('uncaughtException', (e) => {
  log.error('uncaught exception; exiting', { error: errorText(e) });
  process.exit(1);
});

const kubeConfig = new KubeConfig();
kubeConfig.loadFromDefault(); // KUBECONFIG when set, else the in-cluster service account
const retryOptions = { maxRetries: 3, timeoutInMs: 30_000 };
const serviceBus = settings.SERVICEBUS_CONNECTION_STRING !== undefined
  ? new ServiceBusClient(settings.SERVICEBUS_CONNECTION_STRING, { retryOptions })
  : new ServiceBusClient(settings.SERVICEBUS_FULLY_QUALIFIED_NAMESPACE ?? '', new DefaultAzureCredential(), { retryOptions });

const forwarder = await startForwarder({
  cluster: settings.CLUSTER_NAME,
  kubeConfig,
  serviceBus,
  log,
  queueCapacity: settings.FORWARDER_QUEUE_CAPACITY,
  queueBytes: settings.FORWARDER_QUEUE_BYTES,
  httpPort: settings.FORWARDER_HTTP_PORT,
  instance: settings.POD_NAME,
  stallMs: settings.FORWARDER_STALL_MS,
  sendLingerMs: settings.FORWARDER_SEND_LINGER_MS,
});

let signalled = false;
const shutdown = (signal: string): void => {
  if (signalled) return;
  signalled = true;
  log.info('shutting down', { signal, graceMs: settings.FORWARDER_SHUTDOWN_GRACE_MS });
  void (async () => {
    const result = await forwarder.stop(settings.FORWARDER_SHUTDOWN_GRACE_MS);
    await serviceBus.close().catch(() => undefined);
    if (!result.flushed) log.warn('changes left unsent; the next start relists them', { unsent: result.unsent });
    process.exit(0);
  })();
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
