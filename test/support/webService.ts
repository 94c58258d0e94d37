// The `web` Service most state-machine specs drive, and the outcomes its operations complete with.
import { CONFIG_REFUSAL } from '../../shared/engine/configRefusal.ts';
import type { InboundConfig, OperationOutcome, ServiceFact } from '../../shared/engine/types.ts';
import type { ServiceOptions } from './builders.ts';
import { service, uidOf } from './builders.ts';

export const WEB_UID = uidOf('web');
/** The NRP name of `web`: its lower-cased UID. */
export const WEB_NAME = WEB_UID;
export const PUBLIC_IP = '20.1.2.3';

/** `web` with its one port mapped to `backendPort`; give each change a newer resourceVersion. */
export function web(resourceVersion: number, backendPort = 8080, o: ServiceOptions = {}): ServiceFact {
  return service('web', {
    resourceVersion: String(resourceVersion),
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: backendPort }],
    ...o,
  });
}

/** The config admission builds for `web(…, backendPort)`. */
export function webConfig(backendPort: number): InboundConfig {
  return {
    kind: 'inbound',
    name: WEB_NAME,
    service: { namespace: 'default', name: 'web', uid: WEB_UID },
    ipFamily: 'IPv4',
    ports: [{ protocol: 'TCP', port: 80, backendPort }],
    idleTimeoutMinutes: 4,
  };
}

export const success = (publicIp: string | null = PUBLIC_IP): OperationOutcome => ({ result: 'success', publicIp });
export const transient = (code = 'InternalServerError'): OperationOutcome => ({ result: 'failure', terminal: false, code, message: 'injected' });
/** The one terminal failure: the engine's own refusal of a config it cannot build (ARM errors never are). */
export const terminal = (code: string = CONFIG_REFUSAL.configMismatch): OperationOutcome => ({ result: 'failure', terminal: true, code, message: 'bad spec' });
