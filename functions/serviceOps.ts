// serviceOps: runs one service operation against NRP and reports the outcome to the engine. Every
// operation is idempotent, so a redelivered message simply runs it again.
import { app } from '@azure/functions';
import type { InvocationContext } from '@azure/functions';
import type { OperationOutcome, ServiceOperation } from '../shared/engine/types.ts';
import { parseServiceOpMessage } from '../shared/messages/parseMessage.ts';
import { toEngineEventMessage } from '../shared/messages/toEngineEventMessage.ts';
import type { EngineLog } from '../shared/telemetry/engineLog.ts';
import { inInvocationSpan } from '../shared/telemetry/invocationSpan.ts';
import { dependencies, telemetryOf } from './dependencies.ts';
import type { Dependencies } from './dependencies.ts';
import { invocationLog } from './invocationLog.ts';
import { receivedMessage, type ReceivedMessage, rejectionMessages } from './received.ts';

export const SERVICE_OPS_QUEUE = 'service-ops';
/** NRP's own operation timeout in the reference engine. */
export const OPERATION_TIMEOUT_MS = 5 * 60_000;
const MAX_ERROR_CHARS = 2_000;

async function execute(deps: Dependencies, operation: ServiceOperation, timeoutMs: number): Promise<OperationOutcome> {
  const network = deps.network;
  if (!network) {
    return { result: 'failure', terminal: false, code: 'NoNetworkAdapter', message: 'no network adapter is configured for this function app' };
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error('operation timed out')), timeoutMs);
  try {
    return await network.executeServiceOperation(operation, { abortSignal: abort.signal });
  } catch (e) {
    // The adapter turns Azure errors into outcomes; anything thrown is a timeout or a bug, and
    // both are worth another attempt.
    const code = abort.signal.aborted ? 'timeout' : 'UnexpectedError';
    return { result: 'failure', terminal: false, code, message: (e instanceof Error ? e.message : String(e)).slice(0, MAX_ERROR_CHARS) };
  } finally {
    clearTimeout(timer);
  }
}

export interface ServiceOpResult {
  readonly outcome: OperationOutcome | null;
  readonly rejected: string | null;
}

export interface ServiceOpOptions {
  readonly timeoutMs?: number | undefined;
  /** Where the operation's line goes (default: the telemetry's sink, else nowhere). */
  readonly log?: EngineLog | undefined;
}

export async function applyServiceOperation(deps: Dependencies, received: ReceivedMessage, options: ServiceOpOptions = {}): Promise<ServiceOpResult> {
  const log = options.log ?? invocationLog(deps, undefined);
  const parsed = parseServiceOpMessage(received.body);
  if (!parsed.ok) {
    await deps.sender.send(rejectionMessages(SERVICE_OPS_QUEUE, [{ message: received, reason: parsed.reason }], deps.now()));
    log.warn('message rejected', { messageId: received.messageId, reason: parsed.reason });
    return { outcome: null, rejected: parsed.reason };
  }
  const { operation, observedAt } = parsed.value;
  const telemetry = telemetryOf(deps);
  const attributes = { 'engine.cluster': operation.cluster, 'engine.service': operation.serviceName, 'engine.operation': operation.operation };
  return inInvocationSpan(telemetry.tracer, `${SERVICE_OPS_QUEUE} process`, { traceparents: [received.traceparent], attributes }, async (traceparent) => {
    const started = Date.now();
    const raw = await execute(deps, operation, options.timeoutMs ?? OPERATION_TIMEOUT_MS);
    const outcome: OperationOutcome = raw.result === 'failure' ? { ...raw, message: raw.message.slice(0, MAX_ERROR_CHARS) } : raw;
    if (outcome.result === 'success' && observedAt !== undefined) telemetry.nrp.recordEventLatency(operation.operation, Date.parse(observedAt), deps.now());
    const event = { kind: 'ServiceOperationCompleted', serviceName: operation.serviceName, dispatchId: operation.dispatchId, outcome } as const;
    await deps.sender.send([toEngineEventMessage(operation.cluster, event, { now: deps.now(), traceparent })]);
    const fields = {
      cluster: operation.cluster,
      ...(operation.serviceKind === 'inbound' ? { serviceUid: operation.serviceName } : { egressIdentity: operation.serviceName }),
      operation: operation.operation,
      correlationId: operation.correlationId,
      dispatchId: operation.dispatchId,
      attempt: operation.attempt,
      status: outcome.result,
      errorCode: outcome.result === 'failure' ? outcome.code : undefined,
      durationMs: Date.now() - started,
    };
    if (outcome.result === 'success') log.info('service operation done', fields);
    else log.warn('service operation done', fields);
    return { outcome, rejected: null };
  });
}

export async function serviceOpsHandler(message: unknown, context: InvocationContext): Promise<void> {
  const deps = await dependencies();
  await applyServiceOperation(deps, receivedMessage(message, context), { log: invocationLog(deps, context) });
}

app.serviceBusQueue('serviceOps', {
  connection: 'ServiceBusConnection',
  queueName: SERVICE_OPS_QUEUE,
  handler: serviceOpsHandler,
});
