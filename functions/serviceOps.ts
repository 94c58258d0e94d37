// serviceOps: runs one service operation against NRP and reports the outcome to the engine. Every
// operation is idempotent, so a redelivered message simply runs it again.
import { app } from '@azure/functions';
import type { InvocationContext } from '@azure/functions';
import type { OperationOutcome, ServiceOperation } from '../shared/engine/types.ts';
import { parseServiceOpMessage } from '../shared/messages/parseMessage.ts';
import { toEngineEventMessage } from '../shared/messages/toEngineEventMessage.ts';
import { dependencies } from './dependencies.ts';
import type { Dependencies } from './dependencies.ts';
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

export async function applyServiceOperation(deps: Dependencies, received: ReceivedMessage, options: { timeoutMs?: number } = {}): Promise<ServiceOpResult> {
  const parsed = parseServiceOpMessage(received.body);
  if (!parsed.ok) {
    await deps.sender.send(rejectionMessages(SERVICE_OPS_QUEUE, [{ message: received, reason: parsed.reason }], deps.now()));
    return { outcome: null, rejected: parsed.reason };
  }
  const operation = parsed.value.operation;
  const raw = await execute(deps, operation, options.timeoutMs ?? OPERATION_TIMEOUT_MS);
  const outcome: OperationOutcome = raw.result === 'failure' ? { ...raw, message: raw.message.slice(0, MAX_ERROR_CHARS) } : raw;
  const event = { kind: 'ServiceOperationCompleted', serviceName: operation.serviceName, dispatchId: operation.dispatchId, outcome } as const;
  await deps.sender.send([toEngineEventMessage(operation.cluster, event, { now: deps.now() })]);
  return { outcome, rejected: null };
}

export async function serviceOpsHandler(message: unknown, context: InvocationContext): Promise<void> {
  const started = Date.now();
  const result = await applyServiceOperation(await dependencies(), receivedMessage(message, context));
  if (result.rejected) context.warn(JSON.stringify({ msg: 'message rejected', reason: result.rejected }));
  else context.info(JSON.stringify({ msg: 'service operation done', result: result.outcome?.result, code: result.outcome?.result === 'failure' ? result.outcome.code : null, durationMs: Date.now() - started }));
}

app.serviceBusQueue('serviceOps', {
  connection: 'ServiceBusConnection',
  queueName: SERVICE_OPS_QUEUE,
  handler: serviceOpsHandler,
});
