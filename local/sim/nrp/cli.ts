// npm run sim:nrp -- --port 0 [--subscription ID] [--resource-group RG] [--location REGION]
//   [--service-gateway NAME] [--sync-post-status 200|202] [--page-size N] [--write-ms N]
//   [--lb-create-ms N] [--ip-allocation sequential|byName] [--host 127.0.0.1]
// Starts the NRP simulator on loopback, prints where it is, and stops on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startNrpSimulator } from './server.ts';
import { stopOnSignals } from '../serve.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    subscription: { type: 'string', default: '00000000-0000-0000-0000-000000000000' },
    'resource-group': { type: 'string', default: 'rg-servicegateway' },
    location: { type: 'string', default: 'eastus2' },
    'service-gateway': { type: 'string', default: 'servicegateway' },
    'sync-post-status': { type: 'string', default: '200' },
    'page-size': { type: 'string' },
    'write-ms': { type: 'string' },
    'lb-create-ms': { type: 'string' },
    'ip-allocation': { type: 'string', default: 'sequential' },
  },
  strict: true,
});

function num(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0, got '${text}'`);
  return n;
}

const syncPostStatus = values['sync-post-status'] === '202' ? 202 : values['sync-post-status'] === '200' ? 200 : undefined;
if (syncPostStatus === undefined) throw new Error('--sync-post-status must be 200 or 202');
const ipAllocation = values['ip-allocation'];
if (ipAllocation !== 'sequential' && ipAllocation !== 'byName') throw new Error('--ip-allocation must be sequential or byName');

const sim = await startNrpSimulator({
  subscriptionId: values.subscription,
  resourceGroup: values['resource-group'],
  location: values.location,
  serviceGatewayName: values['service-gateway'],
  syncPostStatus,
  pageSize: num('page-size', values['page-size']),
  latency: { writeMs: num('write-ms', values['write-ms']), lbCreateMs: num('lb-create-ms', values['lb-create-ms']) },
  ipAllocation,
  host: values.host,
  port: num('port', values.port),
});

process.stdout.write([
  `NRP simulator listening on ${sim.baseUrl}`,
  `baseUrl: ${sim.baseUrl}`,
  `subscription: ${sim.subscriptionId}`,
  `resourceGroup: ${sim.resourceGroup}`,
  `location: ${sim.location}`,
  `serviceGatewayId: ${sim.serviceGatewayId}`,
  `virtualNetworkId: ${sim.virtualNetworkId}`,
  '',
].join('\n'));

stopOnSignals(sim);
