// Outside the Functions host, @azure/functions looks for the worker's '@azure/functions-core'
// module to register functions. Providing one captures each registration with its binding
// metadata, so tests can assert what the host would be told and call the real handlers.
// Import this module before any module that calls app.*.
import Module from 'node:module';

export interface Registration {
  readonly metadata: { readonly name: string; readonly bindings: Readonly<Record<string, Readonly<Record<string, unknown>>>> };
  readonly handler: (...args: unknown[]) => unknown;
}

export const registered = new Map<string, Registration>();

const fakeCore = {
  version: '4.0.0',
  setProgrammingModel(): void {},
  getProgrammingModel(): undefined {
    return undefined;
  },
  registerHook(): { dispose(): void } {
    return { dispose(): void {} };
  },
  log(): void {},
  registerFunction(metadata: Registration['metadata'], handler: Registration['handler']): { dispose(): void } {
    registered.set(metadata.name, { metadata, handler });
    return { dispose(): void {} };
  },
};

type Loader = (request: string, ...rest: unknown[]) => unknown;
const moduleWithLoader = Module as unknown as { _load: Loader };
const original = moduleWithLoader._load;
moduleWithLoader._load = function load(this: unknown, request: string, ...rest: unknown[]): unknown {
  return request === '@azure/functions-core' ? fakeCore : original.call(this, request, ...rest);
};

/** The trigger binding of a registered function (the binding whose direction is `in` and type ends in Trigger). */
export function triggerOf(name: string): Readonly<Record<string, unknown>> {
  const r = registered.get(name);
  if (!r) throw new Error(`function ${name} was not registered (registered: ${[...registered.keys()].join(', ')})`);
  const trigger = Object.values(r.metadata.bindings).find((b) => b.direction === 'in' && typeof b.type === 'string' && b.type.endsWith('Trigger'));
  if (!trigger) throw new Error(`function ${name} has no trigger binding`);
  return trigger;
}
