// zod issues as one-line reasons that name the JSON path the way a person reads the file
// (`steps[3].fault.status: expected …`): zod's own messages name neither the path nor, for a
// discriminated union, the allowed values in a form one can paste back.
import type { z } from 'zod';

/** Reasons shown at most; the first few are what the author fixes first anyway. */
const MAX_REASONS = 5;

export function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out === '' ? '(scenario)' : out;
}

function got(input: unknown): string {
  if (input === undefined) return '';
  // JSON.stringify gives undefined only for functions and symbols, which JSON cannot hold.
  const shown = JSON.stringify(input) ?? typeof input;
  return `, got ${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown}`;
}

function listOf(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return shown.length === 1 ? `expected ${shown[0] ?? ''}` : `expected one of ${shown.join(', ')}`;
}

function bound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, word: 'at least' | 'at most'): string {
  const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
  const n = Number(limit);
  switch (issue.origin) {
    case 'string':
      return n === 1 && word === 'at least' ? 'must not be empty' : `expected ${word} ${n} characters`;
    case 'array':
      return `expected ${word} ${n} items`;
    default:
      return `expected a number ${word === 'at least' ? '>=' : '<='} ${String(limit)}`;
  }
}

function describeOne(issue: z.core.$ZodIssue): { path: readonly PropertyKey[]; text: string } {
  const path = issue.path;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return { path, text: 'missing' };
      return { path, text: `expected ${issue.expected === 'int' ? 'a whole number' : issue.expected}${got(issue.input)}` };
    case 'invalid_value':
      return { path, text: `${listOf(issue.values)}${got(issue.input)}` };
    case 'invalid_union': {
      // A discriminated union reports its discriminator with the options it knows.
      // Its input is the whole object, so the value shown is the discriminator's own.
      const options = 'options' in issue && Array.isArray(issue.options) ? (issue.options as unknown[]) : null;
      if (options) {
        const key = 'discriminator' in issue && typeof issue.discriminator === 'string' ? issue.discriminator : null;
        const input: unknown = issue.input;
        const value = key !== null && typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[key] : undefined;
        return { path, text: value === undefined ? `missing (${listOf(options)})` : `${listOf(options)}${got(value)}` };
      }
      return { path, text: `${issue.message}${got(issue.input)}` };
    }
    case 'unrecognized_keys':
      return { path: [...path, issue.keys[0] ?? ''], text: issue.keys.length > 1 ? `unknown field (also ${issue.keys.slice(1).join(', ')})` : 'unknown field' };
    case 'too_small':
      return { path, text: `${bound(issue, 'at least')}${got(issue.input)}` };
    case 'too_big':
      return { path, text: `${bound(issue, 'at most')}${got(issue.input)}` };
    case 'not_multiple_of':
      return { path, text: `expected a whole number${got(issue.input)}` };
    default:
      return { path, text: issue.message };
  }
}

/** Every issue as `path: problem`, joined by `; `. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.slice(0, MAX_REASONS).map((i) => {
    const d = describeOne(i);
    return `${pathOf(d.path)}: ${d.text}`;
  });
  if (issues.length > MAX_REASONS) lines.push(`(+${issues.length - MAX_REASONS} more)`);
  return lines.join('; ');
}
