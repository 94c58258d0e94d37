// The NRP simulator's ARM protocol with plain fetch: error body shape, api-version check,
// authentication, status codes and long-running-operation headers; and the CLI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { NrpSimulator } from '../../../local/sim/nrp/server.ts';
import { RG, SUB, armFetch, startSim } from './harness.ts';

const PIP = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/publicIPAddresses/p1`;
const SG = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/serviceGateways/servicegateway`;
const pipBody = JSON.stringify({ location: 'eastus2', sku: { name: 'StandardV2' }, properties: { publicIPAllocationMethod: 'Static' } });

function errorOf(json: unknown): { code: string; message: string } {
  assert.ok(json !== null && typeof json === 'object' && 'error' in json, `expected {"error":…}, got ${JSON.stringify(json)}`);
  const { error } = json as { error: { code: unknown; message: unknown } };
  assert.equal(typeof error.code, 'string');
  assert.equal(typeof error.message, 'string');
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message']);
  return error as { code: string; message: string };
}

describe('NRP simulator: ARM protocol over plain fetch', () => {
  let sim: NrpSimulator;

  before(async () => {
    sim = await startSim();
  });
  after(() => sim.stop());

  it('requires api-version (400 MissingApiVersionParameter) and checks it (InvalidApiVersionParameter, NoRegisteredProviderFound)', async () => {
    const missing = await armFetch(sim, 'GET', SG, { apiVersion: null });
    assert.equal(missing.status, 400);
    assert.equal(errorOf(missing.json).code, 'MissingApiVersionParameter');
    assert.match(missing.headers.get('content-type') ?? '', /application\/json/);
    const malformed = await armFetch(sim, 'GET', SG, { apiVersion: 'latest' });
    assert.equal(malformed.status, 400);
    assert.equal(errorOf(malformed.json).code, 'InvalidApiVersionParameter');
    const unsupported = await armFetch(sim, 'GET', SG, { apiVersion: '2019-01-01' });
    assert.equal(unsupported.status, 400);
    const e = errorOf(unsupported.json);
    assert.equal(e.code, 'NoRegisteredProviderFound');
    assert.match(e.message, /2026-01-01/);
    assert.equal((await armFetch(sim, 'GET', SG, { apiVersion: '2025-05-01' })).status, 200, 'the reference engine\'s version');
  });

  it('answers 404 with an ARM error body for missing resources, resource groups, subscriptions and types', async () => {
    const cases: [string, number, string][] = [
      [PIP, 404, 'ResourceNotFound'],
      [SG.replace('servicegateway', 'other'), 404, 'ResourceNotFound'],
      [PIP.replace(`/resourceGroups/${RG}/`, '/resourceGroups/elsewhere/'), 404, 'ResourceGroupNotFound'],
      [PIP.replace(SUB, '11111111-1111-1111-1111-111111111111'), 404, 'SubscriptionNotFound'],
      [PIP.replace('publicIPAddresses', 'applicationGateways'), 404, 'InvalidResourceType'],
    ];
    for (const [path, status, code] of cases) {
      const r = await armFetch(sim, 'GET', path);
      assert.equal(r.status, status, path);
      assert.equal(errorOf(r.json).code, code, path);
    }
  });

  it('requires a bearer token (401 AuthenticationFailed)', async () => {
    const r = await armFetch(sim, 'GET', SG, { auth: false });
    assert.equal(r.status, 401);
    assert.equal(errorOf(r.json).code, 'AuthenticationFailed');
  });

  it('refuses unparseable JSON (InvalidRequestContent) and a body of the wrong shape (InvalidRequestFormat)', async () => {
    const bad = await armFetch(sim, 'PUT', PIP, { body: '{"location":' });
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad.json).code, 'InvalidRequestContent');
    const shape = await armFetch(sim, 'PUT', PIP, { body: JSON.stringify({ location: 'eastus2', properties: { idleTimeoutInMinutes: 'four' } }) });
    assert.equal(shape.status, 400);
    assert.equal(errorOf(shape.json).code, 'InvalidRequestFormat');
    const noLocation = await armFetch(sim, 'PUT', PIP, { body: '{}' });
    assert.equal(errorOf(noLocation.json).code, 'LocationRequired');
    const post = await armFetch(sim, 'POST', `${SG}/updateServices`, { body: JSON.stringify({ action: 'Sideways' }) });
    assert.equal(post.status, 400);
    assert.equal(errorOf(post.json).code, 'InvalidRequestFormat');
  });

  it('creates with 201 and updates with 200, both with an Azure-AsyncOperation status URL answering {"status":"Succeeded"}', async () => {
    const created = await armFetch(sim, 'PUT', PIP, { body: pipBody });
    assert.equal(created.status, 201);
    const body = created.json as { id: string; name: string; type: string; location: string; etag: string; properties: { provisioningState: string; ipAddress: string } };
    assert.deepEqual([body.id, body.name, body.type, body.location, body.properties.provisioningState],
      [PIP, 'p1', 'Microsoft.Network/publicIPAddresses', 'eastus2', 'Succeeded']);
    assert.ok(body.etag);
    const statusUrl = created.headers.get('azure-asyncoperation') ?? '';
    assert.ok(statusUrl.startsWith(`${sim.baseUrl}/subscriptions/${SUB}/providers/Microsoft.Network/locations/eastus2/operations/`), statusUrl);
    const status = await fetch(statusUrl, { headers: { authorization: 'Bearer t' } });
    assert.equal(status.status, 200);
    assert.equal(((await status.json()) as { status: string }).status, 'Succeeded');
    const updated = await armFetch(sim, 'PUT', PIP, { body: pipBody });
    assert.equal(updated.status, 200);
  });

  it('honours If-Match / If-None-Match with 412 PreconditionFailed', async () => {
    const stale = await armFetch(sim, 'PUT', PIP, { body: pipBody });
    const etag = (stale.json as { etag: string }).etag;
    const r = await fetch(`${sim.baseUrl}${PIP}?api-version=2026-01-01`, {
      method: 'PUT', body: pipBody, headers: { authorization: 'Bearer t', 'content-type': 'application/json', 'if-match': 'W/"stale"' },
    });
    assert.equal(r.status, 412);
    assert.equal(errorOf(await r.json()).code, 'PreconditionFailed');
    const none = await fetch(`${sim.baseUrl}${PIP}?api-version=2026-01-01`, {
      method: 'PUT', body: pipBody, headers: { authorization: 'Bearer t', 'content-type': 'application/json', 'if-none-match': '*' },
    });
    assert.equal(none.status, 412);
    const ok = await fetch(`${sim.baseUrl}${PIP}?api-version=2026-01-01`, {
      method: 'PUT', body: pipBody, headers: { authorization: 'Bearer t', 'content-type': 'application/json', 'if-match': etag },
    });
    assert.equal(ok.status, 200);
  });

  it('deletes with 202 + Azure-AsyncOperation + Location (operationResults answers 204), and a missing resource with 404', async () => {
    const del = await armFetch(sim, 'DELETE', PIP);
    assert.equal(del.status, 202);
    assert.equal(del.json, undefined);
    assert.ok(del.headers.get('azure-asyncoperation'));
    const location = del.headers.get('location') ?? '';
    assert.match(location, /\/operationResults\//);
    assert.equal((await fetch(location, { headers: { authorization: 'Bearer t' } })).status, 204);
    const again = await armFetch(sim, 'DELETE', PIP);
    assert.equal(again.status, 404);
    assert.equal(errorOf(again.json).code, 'ResourceNotFound');
  });

  it('answers the service gateway POSTs with 200 {"status":"Succeeded"} and no polling headers', async () => {
    const r = await armFetch(sim, 'POST', `${SG}/updateAddressLocations`, { body: JSON.stringify({ action: 'PartialUpdate', addressLocations: [] }) });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'Succeeded' });
    assert.equal(r.headers.get('azure-asyncoperation'), null);
    assert.equal(r.headers.get('location'), null);
  });

  it('answers a delete of an absent resource with 204 when deleteAbsentStatus is 204 (what NRP itself does)', async () => {
    const other = await startSim({ deleteAbsentStatus: 204 });
    try {
      assert.equal((await armFetch(other, 'DELETE', PIP)).status, 204);
    } finally {
      await other.stop();
    }
  });
});

describe('NRP simulator CLI', () => {
  it('starts on loopback, prints base URL, subscription, resource group and service gateway id, and stops on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('../../../local/sim/nrp/cli.ts', import.meta.url));
    const child = spawn(process.execPath, [cli, '--port', '0', '--subscription', SUB, '--resource-group', RG], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const ready = new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: string) => {
          out += d;
          if (out.includes('virtualNetworkId:')) resolve(out);
        });
        child.once('exit', (code) => reject(new Error(`cli exited early (${String(code)}): ${out}`)));
      });
      const text = await ready;
      const field = (k: string): string => new RegExp(`^${k}: (.+)$`, 'm').exec(text)?.[1] ?? '';
      assert.match(field('baseUrl'), /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(field('subscription'), SUB);
      assert.equal(field('resourceGroup'), RG);
      assert.equal(field('serviceGatewayId'), `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/serviceGateways/servicegateway`);
      const r = await fetch(`${field('baseUrl')}${field('serviceGatewayId')}?api-version=2026-01-01`, { headers: { authorization: 'Bearer t' } });
      assert.equal(r.status, 200);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited as [number | null];
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
