// The limits message schemas enforce: Service Bus's own (docs limits.md) and sane caps on what the
// engine's facts and commands can hold. A value beyond a cap is rejected with its path, never cut.

/** Service Bus Standard: the whole message, headers included. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** What a sent body may use: the rest is left for MessageId, SessionId and properties. */
export const MAX_SENT_BODY_BYTES = MAX_MESSAGE_BYTES - 4 * 1024;
/** Service Bus MessageId and SessionId. */
export const MAX_ID_CHARS = 128;

/** AKS cluster names: 1-63 letters, digits, '_', '-' and '.'; also the SessionId. */
export const MAX_CLUSTER_CHARS = 63;
/** Ids the engine mints (`<cluster>:op:<name>:<n>`): carried in bodies, bounded before use as MessageIds. */
export const MAX_ENGINE_ID_CHARS = 256;

/** DNS label (namespace). */
export const MAX_NAMESPACE_CHARS = 63;
/** DNS subdomain (object and node names). */
export const MAX_NAME_CHARS = 253;
export const MAX_UID_CHARS = 128;
/** Opaque to Kubernetes clients; etcd's are decimal int64. Snapshots are list resourceVersions. */
export const MAX_RESOURCE_VERSION_CHARS = 128;
/** Qualified names: 253-character prefix, '/', 63-character name. */
export const MAX_QUALIFIED_NAME_CHARS = 317;
/** Enum-like Kubernetes strings (type, phase, protocol, addressType, ipFamilies). */
export const MAX_KEYWORD_CHARS = 64;
/** An address as Kubernetes reports it: an IP, or an FQDN in an FQDN EndpointSlice. */
export const MAX_FACT_ADDRESS_CHARS = 256;
/** A canonical IP as the engine and NRP write it (IPv6 text is at most 45 characters). */
export const MAX_IP_CHARS = 64;
/** NRP service names: a lower-cased UID or an egress identity (73). */
export const MAX_NRP_NAME_CHARS = 128;
/** Kubernetes caps labels at 63; the engine rejects bad ones itself, with a reason. */
export const MAX_LABEL_VALUE_CHARS = 256;
/** Annotation values; the forwarder is expected to send only the ones the engine reads. */
export const MAX_ANNOTATION_VALUE_CHARS = 64 * 1024;
export const MAX_ANNOTATIONS = 128;
export const MAX_FINALIZERS = 64;
export const MAX_SERVICE_PORTS = 512;
/** Kubernetes: at most 1,000 endpoints per slice and 100 addresses per endpoint. */
export const MAX_SLICE_ENDPOINTS = 1000;
export const MAX_ENDPOINT_ADDRESSES = 100;
/** Service ownerReferences kept per slice: they only ever stop a link, so the first few suffice. */
export const MAX_OWNER_SERVICE_UIDS = 8;
/** Node InternalIPs, pod hostIPs and podIPs (Kubernetes allows two of the latter, one per family). */
export const MAX_NODE_ADDRESSES = 16;
export const MAX_IP_FAMILIES = 2;
/** Ingress IPs of a Service's status the engine looks at (it writes one per family; more are not ours). */
export const MAX_INGRESS_IPS = 8;
/** Error codes (ARM, NRP, Kubernetes Event reasons are 128 in events.k8s.io). */
export const MAX_CODE_CHARS = 256;
/** Error messages carried in completions; producers truncate longer ones. */
export const MAX_ERROR_MESSAGE_CHARS = 32 * 1024;
/** Kubernetes Event messages the engine composes, which may quote an error message or annotation. */
export const MAX_EVENT_MESSAGE_CHARS = 128 * 1024;
/** Free-text reasons (ObserveNrp). */
export const MAX_REASON_CHARS = 1024;
/** W3C traceparent is 55 characters; later versions may append fields. */
export const MAX_TRACEPARENT_CHARS = 256;
/** NRP read (NrpObserved) sizes: the byte limit binds long before these. */
export const MAX_OBSERVED_SERVICES = 10_000;
export const MAX_OBSERVED_LOCATIONS = 10_000;
export const MAX_OBSERVED_ADDRESSES = 100_000;
export const MAX_SERVICES_PER_ADDRESS = 1_000;
/** Azure listing (AzureResourcesObserved) sizes: again the byte limit binds first. */
export const MAX_OBSERVED_RESOURCES = 30_000;
/** Public IP, load balancer and NAT gateway names are 1-80 characters. */
export const MAX_AZURE_NAME_CHARS = 80;
/** An ARM resource id: subscription, resource group (90), provider, type and name. */
export const MAX_AZURE_ID_CHARS = 1_024;
/** Latest time a JavaScript Date can hold, in epoch milliseconds. */
export const MAX_EPOCH_MS = 8_640_000_000_000_000;
