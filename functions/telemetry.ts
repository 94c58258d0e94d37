// Exporting to Application Insights. The entry point imports this module first: useAzureMonitor()
// replaces OpenTelemetry's global providers, and a meter taken before that stays a no-op (the
// metrics API has no proxy). Without a connection string (tests, the local host) nothing is
// started and the engine's instruments record into the no-op providers, or into the ones a test
// injects.
import azf from '@azure/functions';
import afi from '@azure/functions-opentelemetry-instrumentation';
import { ManagedIdentityCredential } from '@azure/identity';
import { useAzureMonitor } from '@azure/monitor-opentelemetry';

// Both packages are CommonJS bundles whose classes ESM cannot import by name.
const { AzureFunctionsInstrumentationESM } = afi;

export interface TelemetrySettings {
  readonly APPLICATIONINSIGHTS_CONNECTION_STRING?: string | undefined;
  /** The user-assigned identity that may publish to Application Insights (`disableLocalAuth`). */
  readonly AZURE_CLIENT_ID?: string | undefined;
}

/** Starts the Azure Monitor distro when a connection string is set; true when it did. */
export function startTelemetry(env: TelemetrySettings): boolean {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!connectionString) return false;
  const clientId = env.AZURE_CLIENT_ID;
  useAzureMonitor({
    azureMonitorExporterOptions: {
      connectionString,
      ...(clientId ? { credential: new ManagedIdentityCredential({ clientId }) } : {}),
    },
  });
  // The instrumentation makes the host's invocation span (telemetryMode OpenTelemetry in host.json)
  // the active context of each handler, and sends context.log lines as OpenTelemetry logs. Its
  // automatic variant hooks require(), which an ES module's import of @azure/functions never goes
  // through, so the module is handed to it instead.
  new AzureFunctionsInstrumentationESM({ enabled: false }).registerAzFunc(azf);
  return true;
}

startTelemetry(process.env);
