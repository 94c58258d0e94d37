// Every metric the engine emits, in one table that the instruments, the docs, the tests and the
// workbook all read. Application Insights stores them in `customMetrics` under these names, with the
// labels as `customDimensions`; renaming one breaks every query that reads it, so names only change
// with a note in docs/adr/0008.

export type MetricType = 'counter' | 'histogram' | 'gauge';

export interface MetricSpec {
  readonly type: MetricType;
  readonly description: string;
  /** The attribute keys every data point carries (no others). */
  readonly labels: readonly string[];
  readonly unit?: string | undefined;
  /** Histogram bucket boundaries (the Prometheus-style reader uses them; App Insights keeps count, sum, min, max). */
  readonly buckets?: readonly number[] | undefined;
}

/** Service operations take seconds to minutes (an LRO per resource); the reference's 0.1-120 s. */
const OPERATION_SECONDS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];
/** One HTTP round trip to ARM. */
const CALL_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Waits that cover a Retry-After (up to the gate's 5 min cap) and the sync window. */
const WAIT_SECONDS = [0, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** From a Kubernetes change to NRP's acknowledgement: the engine's end-to-end lag. */
const LATENCY_SECONDS = [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];

export const ENGINE_METRICS = {
  // The original deferred-work list.
  engine_service_operations_total: {
    type: 'counter',
    description: 'Service operations completed, by operation (create, update, delete) and status (success, failure)',
    labels: ['operation', 'status'],
  },
  engine_service_operation_duration_seconds: {
    type: 'histogram',
    description: 'From the dispatch of a service operation to its completion, by operation',
    labels: ['operation'],
    unit: 's',
    buckets: OPERATION_SECONDS,
  },
  engine_pending_service_operations: {
    type: 'gauge',
    description: 'Service operation records per state, as of the last engine commit of each cluster',
    labels: ['cluster', 'state'],
  },
  engine_buffered_endpoints_total: {
    type: 'counter',
    description: 'Endpoint addresses that waited for their inbound service to be created, counted when it was',
    labels: [],
  },
  engine_buffered_pods_total: {
    type: 'counter',
    description: 'Pod addresses that waited for their egress identity to be created, counted when it was',
    labels: [],
  },
  engine_buffer_duration_seconds: {
    type: 'histogram',
    description: 'How long addresses waited for their service to be created (services that had any)',
    labels: [],
    unit: 's',
    buckets: OPERATION_SECONDS,
  },
  engine_locations_sync_total: {
    type: 'counter',
    description: 'Address-location syncs finished, by status (success, failure)',
    labels: ['status'],
  },
  engine_locations_sync_duration_seconds: {
    type: 'histogram',
    description: 'From the start of an address-location sync to its completion',
    labels: [],
    unit: 's',
    buckets: OPERATION_SECONDS,
  },
  engine_location_addresses_synced: {
    type: 'counter',
    description: 'Addresses sent to NRP in address-location syncs, by action (add, remove, update)',
    labels: ['action'],
  },
  engine_operation_retries_total: {
    type: 'counter',
    description: 'Retries scheduled after a failed service operation, by operation',
    labels: ['operation'],
  },

  // The upstream set (reference-engine.md §6).
  engine_service_operations_parked_total: {
    type: 'counter',
    description: 'Service operations parked, by reason (terminal_error: until the spec changes; retries_exceeded: for the cooldown)',
    labels: ['reason'],
  },
  engine_services_blocked_by_locations: {
    type: 'gauge',
    description: 'Services waiting to be deleted until no NRP address references them any more',
    labels: ['cluster'],
  },
  engine_locations_total: {
    type: 'gauge',
    description: 'Address locations (nodes) in the engine\'s mirror of NRP',
    labels: ['cluster'],
  },
  engine_addresses_total: {
    type: 'gauge',
    description: 'Addresses (pod IPs) in the engine\'s mirror of NRP',
    labels: ['cluster'],
  },
  engine_delete_substep_failures_total: {
    type: 'counter',
    description: 'Failures of the first, best-effort step of a delete, by step (remove_backend_pool, disassociate_nat_gateway)',
    labels: ['step'],
  },
  engine_orphaned_resources_cleaned_total: {
    type: 'counter',
    description: 'Orphan services (in NRP, or tagged ours in Azure, and wanted by nothing in the cluster) deleted',
    labels: [],
  },
  engine_azure_orphans_found_total: {
    type: 'counter',
    description: 'Services whose tagged public IPs, load balancers or NAT gateways a listing of Azure found wanted by nothing and unknown to NRP: an orphan delete was scheduled, by service_type (inbound, outbound)',
    labels: ['service_type'],
  },
  engine_finalizer_failures_total: {
    type: 'counter',
    description: 'Finalizer changes Kubernetes refused for good or that failed and will be retried, by action (add, remove) and result (refused: 400/422, forbidden: 403, conflict: 409 after the conflict retries, retry: one failed attempt)',
    labels: ['action', 'result'],
  },
  engine_pending_operation_oldest_age_seconds: {
    type: 'gauge',
    description: 'Age of the oldest operation per state: since its dispatch while in flight, since the record was created while never dispatched',
    labels: ['cluster', 'state'],
    unit: 's',
  },
  engine_rejected_inputs_total: {
    type: 'counter',
    description: 'Kubernetes input the engine refused to act on (bad endpoint, pod IP or egress label; Service it cannot build; EndpointSlice naming a Service it cannot belong to), by reason',
    labels: ['reason'],
  },

  // NRP calls: one data point per HTTP attempt, retries included.
  engine_nrp_calls_total: {
    type: 'counter',
    description: 'HTTP requests to NRP, by operation and status (success below 400, failure otherwise or without an answer)',
    labels: ['operation', 'status'],
  },
  engine_nrp_call_duration_seconds: {
    type: 'histogram',
    description: 'Duration of one HTTP request to NRP (after the throttle gate let it through), by operation',
    labels: ['operation'],
    unit: 's',
    buckets: CALL_SECONDS,
  },
  engine_nrp_throttled_total: {
    type: 'counter',
    description: 'NRP requests answered 429, by operation',
    labels: ['operation'],
  },
  engine_nrp_errors_total: {
    type: 'counter',
    description: 'Failed NRP requests, by operation and canonical code (classifyArmError: quota_exceeded, throttled, conflict, not_found, internal_error, timeout, validation, unknown)',
    labels: ['operation', 'code'],
  },
  engine_nrp_throttle_gate_wait_seconds: {
    type: 'histogram',
    description: 'How long a request waited at the shared throttle gate before going out, by kind (read, write)',
    labels: ['kind'],
    unit: 's',
    buckets: WAIT_SECONDS,
  },
  engine_event_to_nrp_latency_seconds: {
    type: 'histogram',
    description: 'From the forwarder observing a Kubernetes change to NRP acknowledging the write dispatched in response, by operation (create, update, delete, updateAddressLocations)',
    labels: ['operation'],
    unit: 's',
    buckets: LATENCY_SECONDS,
  },
} as const satisfies Readonly<Record<string, MetricSpec>>;

export type EngineMetricName = keyof typeof ENGINE_METRICS;

export type MetricNamesOf<T extends MetricType> = {
  [K in EngineMetricName]: (typeof ENGINE_METRICS)[K]['type'] extends T ? K : never;
}[EngineMetricName];

export const ENGINE_METRIC_NAMES = Object.keys(ENGINE_METRICS) as readonly EngineMetricName[];

/** The meter (instrumentation scope) name every engine instrument is created under. */
export const ENGINE_METER_NAME = 'service-gateway-engine';
