// Name, label and IP checks with the messages of k8s.io/apimachinery/pkg/util/validation.
// Each returns the error detail, or undefined when the value is valid.
import { isIP } from 'node:net';
import type { NameRule } from './resources.ts';

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';

function full(re: string): RegExp {
  return new RegExp(`^(?:${re})$`);
}

function maxLength(n: number): string {
  return `must be no more than ${n} characters`;
}

export function dns1123LabelError(v: string): string | undefined {
  if (v.length > 63) return maxLength(63);
  if (!full(DNS1123_LABEL).test(v)) {
    return `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${DNS1123_LABEL}')`;
  }
  return undefined;
}

export function dns1123SubdomainError(v: string): string | undefined {
  if (v.length > 253) return maxLength(253);
  if (!full(DNS1123_SUBDOMAIN).test(v)) {
    return `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN}')`;
  }
  return undefined;
}

export function dns1035LabelError(v: string): string | undefined {
  if (v.length > 63) return maxLength(63);
  if (!full(DNS1035_LABEL).test(v)) {
    return `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '${DNS1035_LABEL}')`;
  }
  return undefined;
}

export function nameError(rule: NameRule, v: string): string | undefined {
  switch (rule) {
    case 'dns1123Label': return dns1123LabelError(v);
    case 'dns1123Subdomain': return dns1123SubdomainError(v);
    case 'dns1035Label': return dns1035LabelError(v);
  }
  return undefined;
}

/** A label or annotation key, a finalizer: `[prefix/]name` with a DNS subdomain prefix. */
export function qualifiedNameError(v: string): string | undefined {
  const parts = v.split('/');
  let name = v;
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix === '') return 'prefix part must be non-empty';
    const p = dns1123SubdomainError(prefix);
    if (p) return `prefix part ${p}`;
  } else if (parts.length > 2) {
    return `a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${QUALIFIED_NAME}') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`;
  }
  if (name === '') return 'name part must be non-empty';
  if (name.length > 63) return `name part ${maxLength(63)}`;
  if (!full(QUALIFIED_NAME).test(name)) {
    return `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${QUALIFIED_NAME}')`;
  }
  return undefined;
}

export function labelValueError(v: string): string | undefined {
  if (v.length > 63) return maxLength(63);
  if (!full(LABEL_VALUE).test(v)) {
    return `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '${LABEL_VALUE}')`;
  }
  return undefined;
}

export function ipError(family: 'IPv4' | 'IPv6', v: string): string | undefined {
  const want = family === 'IPv4' ? 4 : 6;
  return isIP(v) === want ? undefined : `must be a valid ${family} address`;
}
