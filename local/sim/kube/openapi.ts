// /openapi/v2 and /openapi/v3, answered just enough for `kubectl apply -f` with default validation.
//
// kubectl (1.27+) first asks /openapi/v3 whether the server supports `fieldValidation`; on a 404
// it falls back to /openapi/v2. If that fails too, apply stops with "failed to download openapi
// … turn validation off with --validate=false". Given an (almost) empty v2 document, kubectl
// finds no schema for the kind, treats fieldValidation as unsupported, skips client-side schema
// validation ("resource is not present, let's just skip validation") and computes apply patches
// from its built-in types. So v3 is a 404 and v2 is a minimal protobuf Document.

export interface RawReply {
  readonly status: number;
  readonly raw?: { readonly contentType: string; readonly bytes: Buffer };
  readonly body?: unknown;
}

/** The media type the real server answers with; Go's mime parser refuses the `@` form kubectl sends in Accept. */
const PROTOBUF_V2 = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** A length-delimited protobuf field (all payloads here are shorter than 128 bytes). */
function field(tag: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(tag << 3) | 2, payload.length]), payload]);
}

/** gnostic openapi_v2.Document { swagger: "2.0", info: { title, version } } and nothing else. */
const V2_DOCUMENT = Buffer.concat([
  field(1, Buffer.from('2.0')),
  field(2, Buffer.concat([field(1, Buffer.from('Kubernetes')), field(2, Buffer.from('v1.32.4'))])),
]);

export function openApiReply(version: 'v2' | 'v3', rest: string): RawReply | undefined {
  if (version === 'v2' && rest === '') return { status: 200, raw: { contentType: PROTOBUF_V2, bytes: V2_DOCUMENT } };
  return undefined;
}
