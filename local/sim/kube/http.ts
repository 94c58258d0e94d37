// Request bodies and content negotiation, with the real server's refusals.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord, shown } from './json.ts';
import type { ResourceInfo } from './resources.ts';
import { badRequest, KubeApiError } from './status.ts';
import type { TableVersion } from './tables.ts';
import type { KubeObject } from './types.ts';

/** The real server's limit on a request body (3 MiB). */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

export type Output = { readonly kind: 'json' } | { readonly kind: 'table'; readonly version: TableVersion };

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) throw new KubeApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
  return Buffer.concat(chunks).toString('utf8');
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function mediaParams(range: string): { type: string; params: Record<string, string> } {
  const [type = '', ...rest] = range.split(';').map((s) => s.trim());
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0) params[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return { type: type.toLowerCase(), params };
}

/** The first media range this server can produce: a Table (`as=Table;g=meta.k8s.io`) or plain JSON. */
export function negotiate(accept: string | undefined): Output {
  if (accept === undefined || accept.trim() === '') return { kind: 'json' };
  for (const range of accept.split(',')) {
    const { type, params } = mediaParams(range);
    const jsonLike = type === 'application/json' || type === '*/*' || type === 'application/*';
    if (!jsonLike) continue;
    if (params['as'] === undefined) return { kind: 'json' };
    if (params['as'] === 'Table' && params['g'] === 'meta.k8s.io' && (params['v'] === 'v1' || params['v'] === 'v1beta1')) {
      return { kind: 'table', version: params['v'] };
    }
  }
  throw new KubeApiError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
}

/** A create or update body: JSON of this resource's kind (kind and apiVersion may be omitted). */
export function decodeObject(r: ResourceInfo, raw: string, contentType: string | undefined): KubeObject {
  const media = contentType === undefined ? 'application/json' : mediaParams(contentType).type;
  if (media !== 'application/json') {
    throw new KubeApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    const summary = raw.length > 30 ? `${raw.slice(0, 30)}...` : raw;
    throw badRequest(`the object provided is unrecognized (must be of type ${r.kind}): couldn't get version/kind; json parse error: ${e instanceof Error ? e.message : String(e)} (${summary})`);
  }
  if (!isRecord(parsed)) {
    throw badRequest(`the object provided is unrecognized (must be of type ${r.kind}): couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed} into Go value of type struct`);
  }
  const kind = parsed['kind'];
  const apiVersion = parsed['apiVersion'];
  if (apiVersion !== undefined && apiVersion !== r.apiVersion) {
    throw badRequest(`the API version in the data (${shown(apiVersion)}) does not match the expected API version (${r.apiVersion})`);
  }
  if (kind !== undefined && kind !== r.kind) {
    const internalGroup = r.group === '' ? 'core' : r.group.split('.')[0] ?? r.group;
    throw badRequest(`${shown(kind)} in version "${r.version}" cannot be handled as a ${r.kind}: converting (${r.version}.${shown(kind)}) to (${internalGroup}.${r.kind}): unknown conversion`);
  }
  if (parsed['metadata'] !== undefined && !isRecord(parsed['metadata'])) {
    throw badRequest(`${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: json: cannot unmarshal into Go struct field ${r.kind}.metadata of type v1.ObjectMeta`);
  }
  return parsed;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Cache-Control': 'no-cache, private',
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, e: KubeApiError): void {
  sendJson(res, e.status, e.body(), e.headers);
}
