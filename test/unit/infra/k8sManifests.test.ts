// The forwarder's deployment files: the Kubernetes manifests in infra/k8s/ (least-privilege RBAC,
// a hardened Deployment with workload identity and no credentials, a PDB, a NetworkPolicy, a
// kustomization that lists them all) and the image (forwarder/Dockerfile and the root
// .dockerignore). There is no Docker engine or cluster here, so these are checks on the text.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadAllYaml } from '@kubernetes/client-node';
import ts from 'typescript';

type Json = Record<string, unknown>;

const ROOT = new URL('../../../', import.meta.url);
const K8S_DIR = new URL('infra/k8s/', ROOT);
const NAMESPACE = 'servicegateway-system';
const SERVICE_ACCOUNT = 'servicegateway-forwarder';
const WORKLOAD_IDENTITY_LABEL = 'azure.workload.identity/use';
const CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';
const NONROOT_UID = 65532;
const HTTP_PORT = 8080;

// The ClusterRole, as `group/resource: verb` (core group written as ""). Exactly this, nothing more.
const EXPECTED_PERMISSIONS = [
  '""/services: get',
  '""/services: list',
  '""/services: watch',
  '""/services: patch',
  '""/services/status: patch',
  '""/pods: get',
  '""/pods: list',
  '""/pods: watch',
  '""/pods: patch',
  '""/nodes: list',
  '""/nodes: watch',
  '"discovery.k8s.io"/endpointslices: list',
  '"discovery.k8s.io"/endpointslices: watch',
  '""/events: create',
  '""/events: get',
  '""/events: patch',
];

const EXPECTED_KINDS = [
  'ClusterRole',
  'ClusterRoleBinding',
  'ConfigMap',
  'Deployment',
  'Namespace',
  'NetworkPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
];
const CLUSTER_SCOPED_KINDS = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);

// ---------------------------------------------------------------------------------------------
// Narrowing helpers: parsed YAML is unknown JSON until checked.

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rec(value: unknown, where: string): Json {
  assert.ok(isRecord(value), `${where} is an object`);
  return value;
}

function list(value: unknown, where: string): unknown[] {
  assert.ok(Array.isArray(value), `${where} is a list`);
  return value as unknown[];
}

function str(value: unknown, where: string): string {
  assert.equal(typeof value, 'string', `${where} is a string`);
  return value as string;
}

function strings(value: unknown, where: string): string[] {
  return list(value, where).map((v, i) => str(v, `${where}[${i}]`));
}

function stringMap(value: unknown, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec(value, where))) out[k] = str(v, `${where}.${k}`);
  return out;
}

function plainJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

// ---------------------------------------------------------------------------------------------
// Loading the manifests.

interface Manifest {
  file: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  doc: Json;
  /** The same document deserialized into its @kubernetes/client-node model (unknown fields dropped). */
  typed: unknown;
}

const yamlFiles = readdirSync(K8S_DIR)
  .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
  .sort();
const objectFiles = yamlFiles.filter((f) => f !== 'kustomization.yaml');

function readText(url: URL): string {
  return readFileSync(url, 'utf8');
}

// loadAllYaml deserializes built-in kinds into their client models, which silently drops any field
// the kind does not have; an unknown kind is returned as written. Loading each file a second time
// with its top-level kinds renamed gives the manifest exactly as written, to compare against.
function loadManifests(file: string): Manifest[] {
  const text = readText(new URL(file, K8S_DIR));
  const typed: unknown[] = loadAllYaml(text);
  const asWritten: unknown[] = loadAllYaml(text.replace(/^kind:[ \t]*/gm, 'kind: Unchecked'));
  assert.equal(typed.length, asWritten.length, `${file}: same number of documents`);
  return asWritten.map((raw, i) => {
    const doc = rec(plainJson(raw), `${file} document ${i}`);
    const kind = str(doc.kind, `${file} document ${i} kind`).replace(/^Unchecked/, '');
    doc.kind = kind;
    const metadata = rec(doc.metadata, `${file} ${kind} metadata`);
    const ns = metadata.namespace === undefined ? undefined : str(metadata.namespace, `${file} ${kind} namespace`);
    return { file, kind, name: str(metadata.name, `${file} ${kind} name`), namespace: ns, doc, typed: typed[i] };
  });
}

const manifests: Manifest[] = objectFiles.flatMap(loadManifests);

function only(kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  assert.equal(found.length, 1, `exactly one ${kind} (found ${found.map((m) => m.file).join(', ') || 'none'})`);
  return found[0] as Manifest;
}

function spec(kind: string): Json {
  return rec(only(kind).doc.spec, `${kind}.spec`);
}

function podTemplate(): { labels: Record<string, string>; annotations: Record<string, string>; pod: Json } {
  const template = rec(spec('Deployment').template, 'Deployment template');
  const metadata = rec(template.metadata, 'Deployment template metadata');
  return {
    labels: stringMap(metadata.labels, 'pod labels'),
    annotations: stringMap(metadata.annotations ?? {}, 'pod annotations'),
    pod: rec(template.spec, 'pod spec'),
  };
}

function containers(): Json[] {
  const { pod } = podTemplate();
  const all = [...list(pod.containers, 'containers'), ...list(pod.initContainers ?? [], 'initContainers')];
  assert.ok(all.length > 0, 'the pod has containers');
  return all.map((c, i) => rec(c, `container ${i}`));
}

function forwarderContainer(): Json {
  const { pod } = podTemplate();
  const main = list(pod.containers, 'containers');
  assert.equal(main.length, 1, 'one container: the forwarder');
  return rec(main[0], 'forwarder container');
}

function matchLabels(selector: unknown, where: string): Record<string, string> {
  const s = rec(selector, where);
  assert.equal(s.matchExpressions, undefined, `${where} uses matchLabels only`);
  const labels = stringMap(s.matchLabels, `${where}.matchLabels`);
  assert.ok(Object.keys(labels).length > 0, `${where} selects on at least one label`);
  return labels;
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function configMapData(): Record<string, string> {
  return stringMap(only('ConfigMap').doc.data, 'ConfigMap data');
}

/** Kubernetes memory quantity (Ki/Mi/Gi or plain bytes) in MiB. */
function mebibytes(quantity: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  assert.ok(m, `memory quantity ${quantity} is understood`);
  const n = Number(m[1]);
  const unit = m[2];
  if (unit === 'Gi') return n * 1024;
  if (unit === 'Mi') return n;
  if (unit === 'Ki') return n / 1024;
  return n / (1024 * 1024);
}

// ---------------------------------------------------------------------------------------------

describe('infra/k8s manifests', () => {
  it('Every manifest parses, and every field in it is a field of its Kubernetes kind', () => {
    assert.ok(manifests.length > 0, 'there are manifests');
    for (const m of manifests) {
      assert.deepEqual(plainJson(m.typed), m.doc, `${m.file} ${m.kind}: a field the ${m.kind} model does not know was dropped`);
    }
  });

  it('Each expected kind is present exactly once, and nothing else is', () => {
    assert.deepEqual(manifests.map((m) => m.kind).sort(), EXPECTED_KINDS);
  });

  it('Every namespaced object is in the servicegateway-system Namespace, and that is the Namespace created', () => {
    assert.equal(only('Namespace').name, NAMESPACE);
    for (const m of manifests) {
      if (CLUSTER_SCOPED_KINDS.has(m.kind)) {
        assert.equal(m.namespace, undefined, `${m.kind} ${m.name} is cluster-scoped and has no namespace`);
      } else {
        assert.equal(m.namespace, NAMESPACE, `${m.kind} ${m.name} in ${NAMESPACE}`);
      }
    }
  });

  it('The ClusterRole grants exactly the permissions the forwarder uses: no wildcard, no secrets, no update or delete', () => {
    const role = only('ClusterRole').doc;
    assert.equal(role.aggregationRule, undefined, 'not an aggregated role');
    const granted: string[] = [];
    list(role.rules, 'ClusterRole rules').forEach((r, i) => {
      const rule = rec(r, `rule ${i}`);
      assert.equal(rule.resourceNames, undefined, `rule ${i} has no resourceNames`);
      assert.equal(rule.nonResourceURLs, undefined, `rule ${i} has no nonResourceURLs`);
      for (const group of strings(rule.apiGroups, `rule ${i} apiGroups`)) {
        for (const resource of strings(rule.resources, `rule ${i} resources`)) {
          for (const verb of strings(rule.verbs, `rule ${i} verbs`)) granted.push(`"${group}"/${resource}: ${verb}`);
        }
      }
    });
    assert.equal(new Set(granted).size, granted.length, 'no permission is granted twice');
    assert.deepEqual([...granted].sort(), [...EXPECTED_PERMISSIONS].sort());
  });

  it('The ClusterRoleBinding binds that ClusterRole to the forwarder ServiceAccount and to nobody else', () => {
    const binding = only('ClusterRoleBinding').doc;
    assert.deepEqual(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: only('ClusterRole').name,
    });
    const sa = only('ServiceAccount');
    assert.equal(sa.name, SERVICE_ACCOUNT);
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace }]);
  });

  it('The admission policy covers every write the ClusterRole grants on Services and Pods, for the forwarder ServiceAccount, and its binding denies', () => {
    const policy = spec('ValidatingAdmissionPolicy');
    const covered = list(rec(policy.matchConstraints, 'matchConstraints').resourceRules, 'resourceRules').flatMap((r, i) => {
      const rule = rec(r, `resourceRule ${i}`);
      assert.deepEqual(strings(rule.operations, 'operations'), ['UPDATE'], 'PATCH reaches admission as UPDATE');
      return strings(rule.apiGroups, 'apiGroups').flatMap((g) => strings(rule.resources, 'resources').map((res) => `"${g}"/${res}`));
    });
    const writes = EXPECTED_PERMISSIONS.filter((p) => /: (patch|update)$/.test(p) && !p.includes('/events')).map((p) => p.replace(/: \w+$/, ''));
    assert.deepEqual([...covered].sort(), [...writes].sort());
    const sa = only('ServiceAccount');
    assert.deepEqual(policy.matchConditions, [{ name: 'forwarder-only', expression: `request.userInfo.username == 'system:serviceaccount:${String(sa.namespace)}:${sa.name}'` }]);
    assert.equal(policy.failurePolicy, 'Fail');
    const binding = spec('ValidatingAdmissionPolicyBinding');
    assert.deepEqual(binding, { policyName: only('ValidatingAdmissionPolicy').name, validationActions: ['Deny'] });
  });

  it('The Deployment runs two replicas as the forwarder ServiceAccount with Azure workload identity', () => {
    const deployment = spec('Deployment');
    assert.equal(deployment.replicas, 2);
    const { labels, pod } = podTemplate();
    assert.equal(pod.serviceAccountName, SERVICE_ACCOUNT);
    assert.equal(pod.automountServiceAccountToken, true, 'the forwarder needs its token for the Kubernetes API');
    assert.equal(labels[WORKLOAD_IDENTITY_LABEL], 'true');
    const saAnnotations = stringMap(rec(only('ServiceAccount').doc.metadata, 'ServiceAccount metadata').annotations, 'ServiceAccount annotations');
    assert.ok((saAnnotations[CLIENT_ID_ANNOTATION] ?? '').length > 0, `the ServiceAccount carries ${CLIENT_ID_ANNOTATION}`);
    assert.equal(pod.priorityClassName, undefined, 'an add-on in its own namespace is not system-cluster-critical');
    assert.equal(pod.hostNetwork, undefined, 'no host network');
  });

  it('Every container runs as the non-root user 65532 with a read-only root filesystem, no privilege escalation, no capabilities and the runtime seccomp profile', () => {
    const { pod } = podTemplate();
    const podSecurity = rec(pod.securityContext, 'pod securityContext');
    assert.equal(podSecurity.runAsNonRoot, true);
    assert.equal(podSecurity.runAsUser, NONROOT_UID);
    assert.deepEqual(podSecurity.seccompProfile, { type: 'RuntimeDefault' });
    for (const c of containers()) {
      const name = str(c.name, 'container name');
      const sc = rec(c.securityContext, `${name} securityContext`);
      assert.notEqual(sc.runAsNonRoot, false, `${name} does not override runAsNonRoot`);
      assert.equal(sc.runAsUser ?? podSecurity.runAsUser, NONROOT_UID, `${name} runs as ${NONROOT_UID}`);
      assert.equal(sc.readOnlyRootFilesystem, true, `${name} readOnlyRootFilesystem`);
      assert.equal(sc.allowPrivilegeEscalation, false, `${name} allowPrivilegeEscalation`);
      assert.notEqual(sc.privileged, true, `${name} is not privileged`);
      const caps = rec(sc.capabilities, `${name} capabilities`);
      assert.deepEqual(strings(caps.drop, `${name} capabilities.drop`), ['ALL']);
      assert.equal(caps.add, undefined, `${name} adds no capability`);
      assert.deepEqual(sc.seccompProfile ?? podSecurity.seccompProfile, { type: 'RuntimeDefault' });
    }
  });

  it('The startup, liveness and readiness probes call /healthz, /healthz and /readyz on the port named http, which is 8080', () => {
    const c = forwarderContainer();
    const ports = list(c.ports, 'container ports').map((p, i) => rec(p, `port ${i}`));
    const http = ports.find((p) => p.name === 'http');
    assert.ok(http, 'a container port named http');
    assert.equal(http.containerPort, HTTP_PORT);
    const expected: Record<string, string> = { startupProbe: '/healthz', livenessProbe: '/healthz', readinessProbe: '/readyz' };
    for (const [probe, path] of Object.entries(expected)) {
      const httpGet = rec(rec(c[probe], probe).httpGet, `${probe}.httpGet`);
      assert.deepEqual({ path: httpGet.path, port: httpGet.port }, { path, port: 'http' }, probe);
    }
    assert.equal(configMapData().FORWARDER_HTTP_PORT, String(HTTP_PORT), 'the forwarder listens where the probes look');
  });

  it('The container requests CPU and memory, has a memory limit and no CPU limit, and its V8 heap fits under the limit', () => {
    const c = forwarderContainer();
    const resources = rec(c.resources, 'resources');
    const requests = stringMap(resources.requests, 'requests');
    const limits = stringMap(resources.limits, 'limits');
    assert.equal(requests.cpu, '50m');
    assert.equal(requests.memory, '256Mi');
    assert.equal(limits.memory, '512Mi');
    assert.equal(limits.cpu, undefined, 'no CPU limit (throttling)');
    const env = list(c.env, 'env').map((e, i) => rec(e, `env ${i}`));
    const nodeOptions = str(env.find((e) => e.name === 'NODE_OPTIONS')?.value, 'NODE_OPTIONS');
    const heap = /--max-old-space-size=(\d+)/.exec(nodeOptions);
    assert.ok(heap, 'NODE_OPTIONS caps the heap');
    assert.ok(Number(heap[1]) < mebibytes(limits.memory), `heap ${heap[1]} MiB below the ${limits.memory} limit`);
  });

  it('Termination grace outlasts the forwarder shutdown grace', () => {
    const { pod } = podTemplate();
    assert.equal(pod.terminationGracePeriodSeconds, 30);
    const shutdownMs = Number(configMapData().FORWARDER_SHUTDOWN_GRACE_MS);
    assert.ok(Number.isInteger(shutdownMs) && shutdownMs > 0, 'FORWARDER_SHUTDOWN_GRACE_MS is set');
    assert.ok(30 * 1000 > shutdownMs, `${shutdownMs} ms < terminationGracePeriodSeconds`);
  });

  it('The container takes its settings from the ConfigMap, which names the cluster and the Service Bus namespace', () => {
    const c = forwarderContainer();
    const refs = list(c.envFrom, 'envFrom').map((e, i) => rec(e, `envFrom ${i}`));
    assert.deepEqual(refs, [{ configMapRef: { name: only('ConfigMap').name } }]);
    const data = configMapData();
    for (const key of ['CLUSTER_NAME', 'SERVICEBUS_FULLY_QUALIFIED_NAMESPACE']) {
      assert.ok((data[key] ?? '').length > 0, `${key} is set`);
    }
    assert.match(data.SERVICEBUS_FULLY_QUALIFIED_NAMESPACE ?? '', /\.servicebus\.windows\.net$/);
  });

  it('No credential is configured: no connection string, SharedAccessKey or Secret in the env, the ConfigMap or any manifest', () => {
    const secretLike = /CONNECTION_?STRING|SharedAccessKey|Endpoint=sb:\/\//i;
    for (const c of containers()) {
      for (const e of list(c.env ?? [], 'env').map((x, i) => rec(x, `env ${i}`))) {
        const name = str(e.name, 'env name');
        assert.doesNotMatch(name, secretLike, `env ${name}`);
        assert.doesNotMatch(e.value === undefined ? '' : str(e.value, `env ${name} value`), secretLike, `env ${name} value`);
        assert.equal(rec(e.valueFrom ?? {}, `env ${name} valueFrom`).secretKeyRef, undefined, `env ${name} reads no Secret`);
      }
      for (const ref of list(c.envFrom ?? [], 'envFrom').map((x, i) => rec(x, `envFrom ${i}`))) {
        assert.equal(ref.secretRef, undefined, 'envFrom reads no Secret');
      }
    }
    for (const [key, value] of Object.entries(configMapData())) {
      assert.doesNotMatch(key, secretLike, `ConfigMap key ${key}`);
      assert.doesNotMatch(value, secretLike, `ConfigMap ${key} value`);
    }
    const { pod } = podTemplate();
    for (const v of list(pod.volumes ?? [], 'volumes').map((x, i) => rec(x, `volume ${i}`))) {
      assert.equal(v.secret, undefined, `volume ${String(v.name)} mounts no Secret`);
    }
    for (const file of yamlFiles) {
      assert.doesNotMatch(readText(new URL(file, K8S_DIR)), /SERVICEBUS_CONNECTION_STRING|SharedAccessKey/, file);
    }
  });

  it('The Deployment selector, the spread constraints and the PDB select exactly the Deployment pods, and the PDB keeps one of the two', () => {
    const { labels } = podTemplate();
    const selector = matchLabels(spec('Deployment').selector, 'Deployment selector');
    assert.ok(selects(selector, labels), 'the Deployment selects its own pods');
    assert.ok(!(WORKLOAD_IDENTITY_LABEL in selector), 'the selector does not depend on the workload identity label');

    const spread = list(podTemplate().pod.topologySpreadConstraints, 'topologySpreadConstraints').map((t, i) => rec(t, `constraint ${i}`));
    const byNode = spread.find((t) => t.topologyKey === 'kubernetes.io/hostname');
    assert.ok(byNode, 'spread across nodes');
    for (const t of spread) {
      assert.deepEqual(matchLabels(t.labelSelector, `spread ${String(t.topologyKey)}`), selector);
    }

    const pdb = spec('PodDisruptionBudget');
    assert.equal(pdb.minAvailable, 1);
    assert.equal(pdb.maxUnavailable, undefined);
    assert.deepEqual(matchLabels(pdb.selector, 'PDB selector'), selector);
  });

  it('The NetworkPolicy covers the forwarder pods and lets in only 8080, and out only DNS, 443 and 5671', () => {
    const { labels } = podTemplate();
    const policy = spec('NetworkPolicy');
    assert.ok(selects(matchLabels(policy.podSelector, 'NetworkPolicy podSelector'), labels), 'selects the forwarder pods');
    assert.deepEqual(strings(policy.policyTypes, 'policyTypes').sort(), ['Egress', 'Ingress']);
    const portsOf = (rules: unknown, where: string): string[] =>
      list(rules, where).flatMap((r, i) =>
        list(rec(r, `${where} ${i}`).ports, `${where} ${i} ports`).map((p, j) => {
          const port = rec(p, `${where} ${i} port ${j}`);
          return `${str(port.protocol, 'protocol')}/${String(port.port)}`;
        }),
      );
    assert.deepEqual(portsOf(policy.ingress, 'ingress'), [`TCP/${HTTP_PORT}`]);
    assert.deepEqual(portsOf(policy.egress, 'egress').sort(), ['TCP/443', 'TCP/53', 'TCP/5671', 'UDP/53']);
  });

  it('kustomization.yaml lists every manifest in the folder and no file that is not there, and sets the Deployment image', () => {
    const kustomization = rec(loadAllYaml(readText(new URL('kustomization.yaml', K8S_DIR)))[0], 'kustomization');
    assert.equal(kustomization.kind, 'Kustomization');
    const resources = strings(kustomization.resources, 'resources');
    assert.equal(new Set(resources).size, resources.length, 'no resource listed twice');
    assert.deepEqual([...resources].sort(), objectFiles);
    const image = str(forwarderContainer().image, 'container image');
    const images = list(kustomization.images, 'images').map((x, i) => rec(x, `image ${i}`));
    assert.ok(
      images.some((i) => i.name === image),
      `kustomization images set ${image}`,
    );
  });

  it('Every placeholder left in the manifests is explained in infra/k8s/README.md', () => {
    const readme = readText(new URL('README.md', K8S_DIR));
    const placeholders = new Set(yamlFiles.flatMap((f) => readText(new URL(f, K8S_DIR)).match(/<your-[a-z-]+>/g) ?? []));
    assert.ok(placeholders.size > 0, 'the cluster name, Service Bus namespace, client id and image are placeholders');
    for (const p of placeholders) assert.ok(readme.includes(p), `README.md explains ${p}`);
  });
});

// ---------------------------------------------------------------------------------------------
// The image.

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined, comments and blank lines dropped. */
function dockerInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (pending === '' && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1)} `;
      continue;
    }
    const full = (pending + trimmed).trim();
    pending = '';
    const m = /^(\S+)\s*(.*)$/.exec(full);
    if (m) out.push({ keyword: (m[1] ?? '').toUpperCase(), args: m[2] ?? '' });
  }
  return out;
}

const dockerfile = dockerInstructions(readText(new URL('forwarder/Dockerfile', ROOT)));

function stages(): Instruction[][] {
  const result: Instruction[][] = [];
  for (const ins of dockerfile) {
    if (ins.keyword === 'FROM') result.push([]);
    assert.ok(result.length > 0 || ins.keyword === 'ARG', `${ins.keyword} before the first FROM`);
    result.at(-1)?.push(ins);
  }
  return result;
}

function finalStage(): Instruction[] {
  const all = stages();
  assert.ok(all.length > 0, 'the Dockerfile has a FROM');
  return all.at(-1) as Instruction[];
}

/** Source paths of COPY/ADD instructions that read the build context (no --from). */
function contextSources(): string[] {
  return dockerfile
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .filter((i) => !/--from=/.test(i.args))
    .flatMap((i) => {
      const words = i.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      return words.slice(0, -1);
    });
}

describe('forwarder image', () => {
  it('The Dockerfile has two stages and ends on the distroless Node 22 nonroot image', () => {
    const froms = dockerfile.filter((i) => i.keyword === 'FROM').map((i) => i.args);
    assert.equal(froms.length, 2);
    assert.match(froms[0] ?? '', /^node:22-bookworm-slim(@sha256:[0-9a-f]{64})? AS build$/i);
    assert.match(froms[1] ?? '', /^gcr\.io\/distroless\/nodejs22-debian12:nonroot(@sha256:[0-9a-f]{64})?$/);
  });

  it('The build stage installs production dependencies only, and the final stage takes its node_modules', () => {
    const npmRuns = dockerfile.filter((i) => i.keyword === 'RUN' && /\bnpm\b/.test(i.args));
    assert.ok(npmRuns.length > 0, 'npm runs in the build stage');
    for (const run of npmRuns) {
      assert.doesNotMatch(run.args, /\bnpm (install|i)\b/, 'npm ci, not npm install');
      for (const ci of run.args.split(/&&|;/).filter((part) => /\bnpm ci\b/.test(part))) {
        assert.match(ci, /--omit=dev\b/, `${ci.trim()} omits the devDependencies`);
      }
    }
    assert.ok(
      finalStage().some((i) => i.keyword === 'COPY' && /--from=build\b/.test(i.args) && /node_modules/.test(i.args)),
      'COPY --from=build node_modules',
    );
  });

  it('The image runs forwarder/main.ts as the non-root user 65532 with NODE_ENV=production', () => {
    const last = finalStage();
    const user = last.filter((i) => i.keyword === 'USER').at(-1);
    assert.ok(user, 'the final stage sets USER');
    assert.match(user.args, new RegExp(`^(${NONROOT_UID}|nonroot)(:(${NONROOT_UID}|nonroot))?$`));
    const run = last.filter((i) => i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD').map((i) => i.args).join(' ');
    assert.match(run, /"forwarder\/main\.ts"/);
    assert.ok(last.some((i) => i.keyword === 'ENV' && /\bNODE_ENV=production\b/.test(i.args)), 'NODE_ENV=production');
  });

  it('The Dockerfile copies only package.json, package-lock.json, forwarder/ and shared/ from the context, and .dockerignore lets only those through', () => {
    const allowed = ['package.json', 'package-lock.json', 'forwarder/', 'shared/'];
    assert.deepEqual([...new Set(contextSources())].sort(), [...allowed].sort());
    const ignore = readText(new URL('.dockerignore', ROOT))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    assert.equal(ignore[0], '*', '.dockerignore starts by excluding everything');
    const reincluded = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    assert.deepEqual([...reincluded].sort(), [...allowed].sort());
  });

  const main = new URL('forwarder/main.ts', ROOT);
  it(
    'Everything forwarder/main.ts imports is in the image: relative imports stay in forwarder/ and shared/, packages are production dependencies',
    { skip: existsSync(main) ? false : 'forwarder/main.ts is not written yet' },
    () => {
      const pkg = rec(JSON.parse(readText(new URL('package.json', ROOT))), 'package.json');
      const production = new Set(Object.keys(rec(pkg.dependencies, 'dependencies')));
      const inImage = [new URL('forwarder/', ROOT).href, new URL('shared/', ROOT).href];
      const seen = new Set<string>();
      const queue: URL[] = [main];
      for (let file = queue.shift(); file; file = queue.shift()) {
        if (seen.has(file.href)) continue;
        seen.add(file.href);
        const where = fileURLToPath(file).slice(fileURLToPath(ROOT).length);
        for (const specifier of runtimeImports(readText(file))) {
          if (specifier.startsWith('.')) {
            const target = new URL(specifier, file);
            assert.ok(inImage.some((dir) => target.href.startsWith(dir)), `${where} imports ${specifier}, outside forwarder/ and shared/`);
            assert.ok(existsSync(target), `${where} imports ${specifier}, which exists`);
            if (target.pathname.endsWith('.ts')) queue.push(target);
          } else if (!isBuiltin(specifier)) {
            const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? '');
            assert.ok(production.has(name), `${where} imports ${specifier}: ${name} must be a production dependency`);
          }
        }
      }
    },
  );
});

/** Module specifiers a file loads at run time (`import type` and `export type` are erased). */
function runtimeImports(source: string): string[] {
  const file = ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) out.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}
