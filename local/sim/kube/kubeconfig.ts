// The kubeconfig that points a client (client-node, kubectl) at the simulator.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { dumpYaml } from '@kubernetes/client-node';
import type { KubeconfigDocument } from './types.ts';

export const CONTEXT_NAME = 'kube-sim';

/** Plain http needs `insecure-skip-tls-verify`: client-node refuses http URLs without it. */
export function kubeconfigFor(server: string, token: string): KubeconfigDocument {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: CONTEXT_NAME, user: { token } }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: CONTEXT_NAME, namespace: 'default' } }],
    'current-context': CONTEXT_NAME,
  };
}

export async function writeKubeconfigFile(path: string, doc: KubeconfigDocument): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, dumpYaml(doc), { mode: 0o600 });
}
