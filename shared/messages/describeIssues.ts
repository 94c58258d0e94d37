// A schema failure as one line a person can act on: each problem as `<field path>: <problem>`,
// e.g. `event.service.ports[0].port: expected number, received string`.
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

const MAX_ISSUES = 5;
const MAX_REASON_CHARS = 1024;
const MAX_PREVIEW_CHARS = 40;
const MAX_KEY_CHARS = 120;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `event.service.ports[0].port`; the body itself is `body`; odd keys are quoted (`annotations["a/b"]`), long ones cut. */
export function formatPath(path: Path): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out === '' ? key : `.${key}`;
    else {
      const text = typeof key === 'symbol' ? key.toString() : key;
      out += `[${JSON.stringify(text.length > MAX_KEY_CHARS ? `${text.slice(0, MAX_KEY_CHARS)}…` : text)}]`;
    }
  }
  return out === '' ? 'body' : out;
}

/** A short rendering of a received value: strings quoted and cut, objects by type only. */
function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > MAX_PREVIEW_CHARS ? `${value.slice(0, MAX_PREVIEW_CHARS)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return typeof value;
}

function literal(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function sizeOf(input: unknown): string {
  if (typeof input === 'string') return `${input.length} characters`;
  if (Array.isArray(input)) return `${input.length} items`;
  return preview(input);
}

function describeBound(issue: Extract<Issue, { code: 'too_big' | 'too_small' }>): string {
  const big = issue.code === 'too_big';
  const limit = big ? issue.maximum : issue.minimum;
  const op = big ? (issue.inclusive === false ? '<' : '<=') : issue.inclusive === false ? '>' : '>=';
  switch (issue.origin) {
    case 'string':
      return `expected ${op} ${String(limit)} characters, received ${sizeOf(issue.input)}`;
    case 'array':
    case 'set':
      return `expected ${op} ${String(limit)} items, received ${sizeOf(issue.input)}`;
    default:
      return issue.message.replace(/^Too (big|small): /, '') + (issue.input === undefined ? '' : `, received ${preview(issue.input)}`);
  }
}

/** Of a union's branches, the one that came closest: fewest problems, then the deepest one. */
function closestBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] {
  let best: readonly Issue[] = [];
  let bestCount = Infinity;
  let bestDepth = -Infinity;
  for (const b of branches) {
    const depth = Math.max(...b.map((i) => i.path.length));
    if (b.length < bestCount || (b.length === bestCount && depth > bestDepth)) {
      best = b;
      bestCount = b.length;
      bestDepth = depth;
    }
  }
  return best;
}

function problems(issue: Issue, prefix: Path): { path: Path; problem: string }[] {
  const path = [...prefix, ...issue.path];
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined && issue.path.length > 0) return [{ path, problem: `missing (expected ${issue.expected})` }];
      return [{ path, problem: `expected ${issue.expected}, received ${preview(issue.input)}` }];
    case 'invalid_value': {
      const expected = issue.values.map(literal).join(' | ');
      if (path.length === 1 && path[0] === 'v') {
        return [{ path, problem: issue.input === undefined ? `missing version (expected ${expected})` : `unsupported version ${preview(issue.input)} (expected ${expected})` }];
      }
      if (issue.input === undefined && issue.path.length > 0) return [{ path, problem: `missing (expected ${expected})` }];
      return [{ path, problem: `expected ${expected}, received ${preview(issue.input)}` }];
    }
    case 'invalid_union': {
      if ('discriminator' in issue && typeof issue.discriminator === 'string') {
        const options = 'options' in issue && Array.isArray(issue.options) ? issue.options.map((o) => (o === undefined ? 'absent' : literal(o))).join(', ') : '';
        const input: unknown = issue.input;
        const value: unknown = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[issue.discriminator] : undefined;
        const what = value === undefined ? `missing ${issue.discriminator}` : `unknown ${issue.discriminator} ${preview(value)}`;
        return [{ path, problem: `${what} (expected one of ${options})` }];
      }
      const branches = issue.errors;
      // Every branch failed on the value itself (`number | string | null`): name them all.
      if (branches.length > 0 && branches.every((b) => b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0)) {
        const expected = branches.map((b) => (b[0]?.code === 'invalid_type' ? b[0].expected : '?')).join(' | ');
        return [{ path, problem: `expected ${expected}, received ${preview(issue.input)}` }];
      }
      const closest = closestBranch(branches);
      if (closest.length === 0) return [{ path, problem: issue.message }];
      return closest.flatMap((i) => problems(i, path));
    }
    case 'invalid_key':
      return issue.issues.flatMap((i) => problems(i, path).map((p) => ({ path: p.path, problem: `key ${p.problem}` })));
    case 'invalid_element':
      return issue.issues.flatMap((i) => problems(i, path));
    case 'too_big':
    case 'too_small':
      return [{ path, problem: describeBound(issue) }];
    case 'invalid_format': {
      // A regex carries its own `expected …` message; zod's built-in formats are named.
      const expected = issue.format === 'regex' ? issue.message : `expected ${issue.format === 'datetime' ? 'an ISO 8601 UTC date-time' : issue.format}`;
      return [{ path, problem: `${expected}, received ${preview(issue.input)}` }];
    }
    case 'unrecognized_keys':
      return [{ path, problem: `unexpected ${issue.keys.length === 1 ? 'field' : 'fields'} ${issue.keys.join(', ')}` }];
    default:
      return [{ path, problem: issue.message }];
  }
}

export function describeIssues(issues: readonly Issue[]): string {
  const all = issues.flatMap((i) => problems(i, []));
  const shown = all.slice(0, MAX_ISSUES).map((p) => `${formatPath(p.path)}: ${p.problem}`);
  if (all.length > MAX_ISSUES) shown.push(`and ${all.length - MAX_ISSUES} more`);
  const reason = shown.join('; ');
  return reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS - 1)}…` : reason;
}
