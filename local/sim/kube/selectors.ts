// Label and field selectors: the grammar of k8s.io/apimachinery labels.Parse and
// fields.ParseSelector, and the fields each kind lets a list select on.
import { labelValueError, qualifiedNameError } from './names.ts';
import { record, text } from './json.ts';
import type { KubeObject } from './types.ts';

export type LabelOperator = 'exists' | '!' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

type Token = { kind: 'id'; text: string } | { kind: 'op'; text: string } | { kind: 'end' };

const SYMBOLS = ['!=', '==', '=', '!', '(', ')', ',', '>', '<'];

function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] ?? '';
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const symbol = SYMBOLS.find((s) => input.startsWith(s, i));
    if (symbol) {
      out.push({ kind: 'op', text: symbol });
      i += symbol.length;
      continue;
    }
    let j = i;
    while (j < input.length && !/\s/.test(input[j] ?? '') && !SYMBOLS.some((s) => input.startsWith(s, j))) j += 1;
    out.push({ kind: 'id', text: input.slice(i, j) });
    i = j;
  }
  out.push({ kind: 'end' });
  return out;
}

function describe(t: Token | undefined): string {
  return t === undefined || t.kind === 'end' ? '' : t.text;
}

class SelectorError extends Error {}

/** labels.Parse: `a=b,c!=d,e in (f,g),!h,i`. An empty selector matches everything. */
export function parseLabelSelector(input: string): Parsed<LabelRequirement[]> {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = (): Token => tokens[pos] ?? { kind: 'end' };
  const take = (): Token => tokens[pos++] ?? { kind: 'end' };
  const identifier = (after: string): string => {
    const t = take();
    if (t.kind !== 'id') throw new SelectorError(`found '${describe(t)}', expected: identifier after '${after}'`);
    return t.text;
  };
  const checkKey = (key: string): void => {
    const e = qualifiedNameError(key);
    if (e) throw new SelectorError(`key: Invalid value: "${key}": ${e}`);
  };
  const checkValue = (value: string): void => {
    const e = labelValueError(value);
    if (e) throw new SelectorError(`values[0][${value}]: Invalid value: "${value}": ${e}`);
  };
  const requirement = (): LabelRequirement => {
    if (peek().kind === 'op' && describe(peek()) === '!') {
      take();
      const key = identifier('!');
      checkKey(key);
      return { key, operator: '!', values: [] };
    }
    const key = identifier('start');
    checkKey(key);
    const next = peek();
    if (next.kind === 'end' || (next.kind === 'op' && next.text === ',')) return { key, operator: 'exists', values: [] };
    const op = take();
    const word = describe(op);
    if (op.kind === 'id' && (word === 'in' || word === 'notin')) {
      const open = take();
      if (describe(open) !== '(') throw new SelectorError(`found '${describe(open)}', expected: '('`);
      const values: string[] = [];
      for (;;) {
        const t = take();
        if (t.kind === 'id') {
          checkValue(t.text);
          values.push(t.text);
        } else if (describe(t) === ')' && values.length === 0) {
          throw new SelectorError(`for 'in', 'notin' operators, values set can't be empty`);
        } else {
          throw new SelectorError(`found '${describe(t)}', expected: identifier`);
        }
        const sep = take();
        if (describe(sep) === ')') break;
        if (describe(sep) !== ',') throw new SelectorError(`found '${describe(sep)}', expected: ',' or ')'`);
      }
      return { key, operator: word, values };
    }
    if (op.kind === 'op' && ['=', '==', '!=', '>', '<'].includes(word)) {
      const v = peek();
      const value = v.kind === 'id' ? (take(), v.text) : '';
      if (word === '>' || word === '<') {
        if (!/^-?\d+$/.test(value)) throw new SelectorError(`for 'Gt', 'Lt' operators, the value must be an integer`);
        return { key, operator: word === '>' ? 'gt' : 'lt', values: [value] };
      }
      checkValue(value);
      return { key, operator: word === '!=' ? '!=' : '=', values: [value] };
    }
    throw new SelectorError(`found '${word}', expected: in, notin, =, ==, !=, gt, lt`);
  };
  try {
    const out: LabelRequirement[] = [];
    if (peek().kind === 'end') return { ok: true, value: out };
    for (;;) {
      out.push(requirement());
      const t = take();
      if (t.kind === 'end') return { ok: true, value: out };
      if (describe(t) !== ',') throw new SelectorError(`found '${describe(t)}', expected: ',' or 'end of string'`);
    }
  } catch (e) {
    if (e instanceof SelectorError) return { ok: false, message: `unable to parse requirement: ${e.message}` };
    throw e;
  }
}

export function matchesLabels(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const v = labels[r.key] ?? '';
    switch (r.operator) {
      case 'exists': return has;
      case '!': return !has;
      case '=': return has && v === r.values[0];
      case '!=': return !has || v !== r.values[0];
      case 'in': return has && r.values.includes(v);
      case 'notin': return !has || !r.values.includes(v);
      case 'gt': return has && /^-?\d+$/.test(v) && Number(v) > Number(r.values[0]);
      case 'lt': return has && /^-?\d+$/.test(v) && Number(v) < Number(r.values[0]);
    }
    return false;
  });
}

/** Splits on unescaped commas, then `=`, `==` or `!=`; `\` escapes the next character in values. */
export function parseFieldSelector(input: string, supported: readonly string[]): Parsed<FieldRequirement[]> {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < input.length; i += 1) {
    const c = input[i] ?? '';
    if (c === '\\' && i + 1 < input.length) {
      current += c + (input[i + 1] ?? '');
      i += 1;
    } else if (c === ',') {
      terms.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  terms.push(current);
  const out: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '' && terms.length === 1) break;
    const m = /^([^=!]*)(!=|==|=)(.*)$/.exec(term);
    if (!m) return { ok: false, message: `invalid selector: '${input}'; can't understand '${term}'` };
    const field = (m[1] ?? '').trim();
    const value = (m[3] ?? '').replace(/\\(.)/g, '$1');
    if (!supported.includes(field)) return { ok: false, message: `field label not supported: ${field}` };
    out.push({ field, operator: m[2] === '!=' ? '!=' : '=', value });
  }
  return { ok: true, value: out };
}

export function matchesFields(requirements: readonly FieldRequirement[], fields: Readonly<Record<string, string>>): boolean {
  return requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '='));
}

type FieldExtractor = (obj: KubeObject) => Record<string, string>;

const KIND_FIELDS: Readonly<Record<string, FieldExtractor>> = {
  Pod: (o) => ({
    'spec.nodeName': text(record(o['spec'])['nodeName']),
    'spec.restartPolicy': text(record(o['spec'])['restartPolicy']),
    'spec.schedulerName': text(record(o['spec'])['schedulerName']),
    'spec.serviceAccountName': text(record(o['spec'])['serviceAccountName']),
    'status.phase': text(record(o['status'])['phase']),
    'status.podIP': text(record(o['status'])['podIP']),
    'status.nominatedNodeName': text(record(o['status'])['nominatedNodeName']),
  }),
  Event: (o) => {
    const io = record(o['involvedObject']);
    const source = record(o['source']);
    return {
      'involvedObject.kind': text(io['kind']),
      'involvedObject.namespace': text(io['namespace']),
      'involvedObject.name': text(io['name']),
      'involvedObject.uid': text(io['uid']),
      'involvedObject.apiVersion': text(io['apiVersion']),
      'involvedObject.resourceVersion': text(io['resourceVersion']),
      'involvedObject.fieldPath': text(io['fieldPath']),
      reason: text(o['reason']),
      reportingComponent: text(o['reportingComponent']),
      source: text(source['component']),
      type: text(o['type']),
    };
  },
  Namespace: (o) => ({ 'status.phase': text(record(o['status'])['phase']) }),
  Node: (o) => ({ 'spec.unschedulable': record(o['spec'])['unschedulable'] === true ? 'true' : 'false' }),
};

/** The fields a list or watch of this kind may select on, with their values for `obj`. */
export function fieldsOf(kind: string, namespaced: boolean, obj: KubeObject): Record<string, string> {
  const m = record(obj['metadata']);
  const base: Record<string, string> = { 'metadata.name': text(m['name']) };
  if (namespaced) base['metadata.namespace'] = text(m['namespace']);
  const extra = KIND_FIELDS[kind];
  return extra ? { ...base, ...extra(obj) } : base;
}

export function supportedFields(kind: string, namespaced: boolean): string[] {
  return Object.keys(fieldsOf(kind, namespaced, {}));
}
