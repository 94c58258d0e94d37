// Object validation after defaulting, with the field paths and wording of
// pkg/apis/*/validation. Pure: returns the field errors, the caller turns them into a 422.
import { deepEqual, isRecord, record, records, strings, text } from './json.ts';
import { dns1123LabelError, dns1123SubdomainError, ipError, labelValueError, nameError, qualifiedNameError } from './names.ts';
import type { ResourceInfo } from './resources.ts';
import type { FieldError } from './status.ts';
import type { KubeObject } from './types.ts';

/** How Go's %#v / %v shows the value in `Invalid value: …`. */
function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? 'null';
}

export function invalidValue(field: string, value: unknown, why: string): FieldError {
  return { field, type: 'FieldValueInvalid', detail: `Invalid value: ${shown(value)}: ${why}` };
}

export function required(field: string, why?: string): FieldError {
  return { field, type: 'FieldValueRequired', detail: why ? `Required value: ${why}` : 'Required value' };
}

export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const list = [...supported].sort().map((s) => JSON.stringify(s)).join(', ');
  return { field, type: 'FieldValueNotSupported', detail: `Unsupported value: ${shown(value)}: supported values: ${list}` };
}

export function duplicate(field: string, value: unknown): FieldError {
  return { field, type: 'FieldValueDuplicate', detail: `Duplicate value: ${shown(value)}` };
}

export function forbiddenField(field: string, why: string): FieldError {
  return { field, type: 'FieldValueForbidden', detail: `Forbidden: ${why}` };
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'];

function portNumberErrors(field: string, v: unknown): FieldError[] {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) return [invalidValue(field, v, 'must be between 1 and 65535, inclusive')];
  return [];
}

function protocolErrors(field: string, v: unknown): FieldError[] {
  return PROTOCOLS.includes(text(v)) ? [] : [notSupported(field, v, PROTOCOLS)];
}

function metadataErrors(r: ResourceInfo, obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const m = record(obj['metadata']);
  const errs: FieldError[] = [];
  const name = text(m['name']);
  if (name === '') errs.push(required('metadata.name', 'name or generateName is required'));
  else {
    const e = nameError(r.nameRule, name);
    if (e) errs.push(invalidValue('metadata.name', name, e));
  }
  if (r.namespaced && text(m['namespace']) === '') errs.push(required('metadata.namespace'));
  for (const [key, value] of Object.entries(record(m['labels']))) {
    const ke = qualifiedNameError(key);
    if (ke) errs.push(invalidValue('metadata.labels', key, ke));
    const ve = typeof value === 'string' ? labelValueError(value) : 'must be a string';
    if (ve) errs.push(invalidValue('metadata.labels', value, ve));
  }
  for (const key of Object.keys(record(m['annotations']))) {
    const ke = qualifiedNameError(key.toLowerCase());
    if (ke) errs.push(invalidValue('metadata.annotations', key, ke));
  }
  const finalizers = strings(m['finalizers']);
  finalizers.forEach((f, i) => {
    const fe = qualifiedNameError(f);
    if (fe) errs.push(invalidValue(`metadata.finalizers[${i}]`, f, fe));
  });
  if (old && text(record(old['metadata'])['deletionTimestamp']) !== '') {
    const before = new Set(strings(record(old['metadata'])['finalizers']));
    const added = finalizers.filter((f) => !before.has(f));
    if (added.length > 0) {
      errs.push(forbiddenField('metadata.finalizers',
        `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  return errs;
}

function serviceErrors(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = record(obj['spec']);
  const errs: FieldError[] = [];
  const type = text(spec['type']);
  if (!SERVICE_TYPES.includes(type)) errs.push(notSupported('spec.type', spec['type'], SERVICE_TYPES));
  const ports = records(spec['ports']);
  const headless = spec['clusterIP'] === 'None';
  if (type === 'ExternalName') {
    const en = text(spec['externalName']);
    if (en === '') errs.push(required('spec.externalName'));
    else {
      const e = dns1123SubdomainError(en.replace(/\.$/, ''));
      if (e) errs.push(invalidValue('spec.externalName', en, e));
    }
  } else if (ports.length === 0 && !headless) {
    errs.push(required('spec.ports'));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    const name = text(p['name']);
    if (ports.length > 1 && name === '') errs.push(required(`${at}.name`));
    if (name !== '') {
      const e = dns1123LabelError(name);
      if (e) errs.push(invalidValue(`${at}.name`, name, e));
      if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
      names.add(name);
    }
    errs.push(...portNumberErrors(`${at}.port`, p['port']), ...protocolErrors(`${at}.protocol`, p['protocol']));
    const target = p['targetPort'];
    if (typeof target === 'number') errs.push(...portNumberErrors(`${at}.targetPort`, target));
    else if (typeof target === 'string' && (target === '' || dns1123LabelError(target.toLowerCase()) !== undefined || target.length > 15)) {
      errs.push(invalidValue(`${at}.targetPort`, target, 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'));
    }
    if (p['nodePort'] !== undefined && type === 'ClusterIP') errs.push(forbiddenField(`${at}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
  });
  const affinity = spec['sessionAffinity'];
  if (affinity !== undefined && !['None', 'ClientIP'].includes(text(affinity))) errs.push(notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  const etp = spec['externalTrafficPolicy'];
  if (etp !== undefined && etp !== '') {
    if (!['Cluster', 'Local'].includes(text(etp))) errs.push(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
    else if (type !== 'LoadBalancer' && type !== 'NodePort') {
      errs.push(invalidValue('spec.externalTrafficPolicy', etp, 'may only be set when `type` is \'NodePort\' or \'LoadBalancer\''));
    }
  }
  for (const [key, value] of Object.entries(record(spec['selector']))) {
    const ke = qualifiedNameError(key);
    if (ke) errs.push(invalidValue('spec.selector', key, ke));
    const ve = typeof value === 'string' ? labelValueError(value) : 'must be a string';
    if (ve) errs.push(invalidValue('spec.selector', value, ve));
  }
  const ip = text(spec['clusterIP']);
  if (ip !== '' && ip !== 'None' && ipError('IPv4', ip) && ipError('IPv6', ip)) errs.push(invalidValue('spec.clusterIPs[0]', ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  if (old) {
    const before = text(record(old['spec'])['clusterIP']);
    if (before !== '' && ip !== before && type !== 'ExternalName') {
      errs.push(invalidValue('spec.clusterIPs[0]', [ip], 'may not change once set'));
    }
  }
  return errs;
}

const POD_MUTABLE_SPEC = ['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds'];

/** Pod spec is immutable apart from images and a few fields (the scheduler binds through its own subresource). */
export function podUpdateErrors(obj: KubeObject, old: KubeObject): FieldError[] {
  const strip = (o: KubeObject): Record<string, unknown> => {
    const spec = { ...record(o['spec']) };
    for (const k of POD_MUTABLE_SPEC) delete spec[k];
    for (const list of ['containers', 'initContainers']) {
      if (Array.isArray(spec[list])) spec[list] = records(spec[list]).map((c) => ({ ...c, image: undefined }));
    }
    return spec;
  };
  if (deepEqual(strip(obj), strip(old))) return [];
  return [forbiddenField('spec', 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)')];
}

function podErrors(obj: KubeObject): FieldError[] {
  const spec = record(obj['spec']);
  const errs: FieldError[] = [];
  const containers = records(spec['containers']);
  if (containers.length === 0) errs.push(required('spec.containers'));
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const at = `spec.containers[${i}]`;
    const name = text(c['name']);
    if (name === '') errs.push(required(`${at}.name`));
    else {
      const e = dns1123LabelError(name);
      if (e) errs.push(invalidValue(`${at}.name`, name, e));
      if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
      names.add(name);
    }
    if (text(c['image']).trim() === '') errs.push(required(`${at}.image`));
    records(c['ports']).forEach((p, j) => {
      errs.push(...portNumberErrors(`${at}.ports[${j}].containerPort`, p['containerPort']), ...protocolErrors(`${at}.ports[${j}].protocol`, p['protocol']));
    });
  });
  const rp = spec['restartPolicy'];
  if (!['Always', 'OnFailure', 'Never'].includes(text(rp))) errs.push(notSupported('spec.restartPolicy', rp, ['Always', 'OnFailure', 'Never']));
  return errs;
}

function endpointSliceErrors(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const addressType = obj['addressType'];
  if (addressType === undefined || addressType === '') errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(text(addressType))) errs.push(notSupported('addressType', addressType, ADDRESS_TYPES));
  if (old && old['addressType'] !== addressType) errs.push(invalidValue('addressType', addressType, 'field is immutable'));
  records(obj['endpoints']).forEach((ep, i) => {
    const at = `endpoints[${i}]`;
    const addresses = strings(ep['addresses']);
    if (addresses.length === 0) errs.push(required(`${at}.addresses`, 'must contain at least 1 address'));
    if (addresses.length > 100) errs.push(invalidValue(`${at}.addresses`, addresses.length, 'must have at most 100 items'));
    addresses.forEach((a, j) => {
      const why = addressType === 'IPv4' || addressType === 'IPv6' ? ipError(addressType, a) : addressType === 'FQDN' ? dns1123SubdomainError(a) : undefined;
      if (why) errs.push(invalidValue(`${at}.addresses[${j}]`, a, why));
    });
    const node = ep['nodeName'];
    if (typeof node === 'string') {
      const e = dns1123SubdomainError(node);
      if (e) errs.push(invalidValue(`${at}.nodeName`, node, e));
    }
    if (ep['conditions'] !== undefined && !isRecord(ep['conditions'])) errs.push(invalidValue(`${at}.conditions`, ep['conditions'], 'must be an object'));
  });
  const names = new Set<string>();
  records(obj['ports']).forEach((p, i) => {
    const at = `ports[${i}]`;
    const name = text(p['name']);
    if (name !== '') {
      const e = dns1123LabelError(name);
      if (e) errs.push(invalidValue(`${at}.name`, name, e));
    }
    if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
    names.add(name);
    if (p['port'] !== undefined) errs.push(...portNumberErrors(`${at}.port`, p['port']));
    errs.push(...protocolErrors(`${at}.protocol`, p['protocol']));
  });
  return errs;
}

function eventErrors(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const ns = text(record(obj['metadata'])['namespace']);
  const involved = record(obj['involvedObject']);
  const involvedNs = text(involved['namespace']);
  if (text(obj['eventTime']) === '') {
    const ok = involvedNs === '' ? ns === '' || ns === 'default' : ns === involvedNs;
    if (!ok) errs.push(invalidValue('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  } else {
    if (text(obj['reportingComponent']) === '') errs.push(required('reportingComponent'));
    if (text(obj['reportingInstance']) === '') errs.push(required('reportingInstance'));
    if (text(obj['action']) === '') errs.push(required('action'));
    if (text(obj['reason']) === '') errs.push(required('reason'));
  }
  const type = obj['type'];
  if (type !== undefined && type !== '' && !['Normal', 'Warning'].includes(text(type))) {
    errs.push(notSupported('type', type, ['Normal', 'Warning']));
  }
  return errs;
}

/** Field errors of `obj` (already defaulted); `old` is the stored object on update. */
export function validateObject(r: ResourceInfo, obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs = metadataErrors(r, obj, old);
  switch (r.kind) {
    case 'Service': errs.push(...serviceErrors(obj, old)); break;
    case 'Pod': errs.push(...podErrors(obj)); break;
    case 'EndpointSlice': errs.push(...endpointSliceErrors(obj, old)); break;
    case 'Event': errs.push(...eventErrors(obj)); break;
    default: break;
  }
  return errs;
}
