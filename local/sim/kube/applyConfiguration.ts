// Decoding a server-side apply body (application/apply-patch+yaml): one object as JSON or YAML.
//
// JSON, which kubectl and client-go send, goes through JSON.parse. YAML goes through client-node's
// loadYaml, whose js-yaml uses the YAML 1.2 core schema (timestamps stay strings). But loadYaml
// turns a document with a built-in apiVersion and kind into a typed client model, dropping unknown
// fields and turning timestamps into Dates. So the document is parsed one level down, as the
// value of a wrapper key: indenting every line uniformly keeps its meaning, and the wrapper is
// not a Kubernetes object, so it comes back as plain js-yaml output.
import { loadYaml } from '@kubernetes/client-node';
import { badPatch } from './patchFailure.ts';
import { isJsonObject } from './patchJson.ts';
import type { JsonObject } from './patchJson.ts';

const WRAPPER = 'document';

export function parseApplyConfiguration(body: unknown): JsonObject {
  if (typeof body !== 'string') throw badPatch('apply patch body must be YAML or JSON text');
  const value = checkJson(parseJson(body) ?? parseYaml(body));
  if (!isJsonObject(value)) throw badPatch('apply patch body must hold a single object');
  return value;
}

function parseJson(text: string): { readonly value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

function parseYaml(text: string): { readonly value: unknown } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  // An explicit start marker is common in hand-written manifests; only the first is allowed.
  const first = lines.findIndex((line) => !/^\s*(#.*)?$/.test(line));
  if (first >= 0 && /^---(\s|$)/.test(lines[first] as string)) lines[first] = (lines[first] as string).slice(3);
  if (lines.some((line) => /^(---|\.\.\.)(\s|$)|^%/.test(line))) {
    throw badPatch('error decoding YAML: the apply patch body must be a single YAML document without directives');
  }
  const nested = `${WRAPPER}:\n${lines.map((line) => `  ${line}`).join('\n')}`;
  let loaded: unknown;
  try {
    loaded = loadYaml<unknown>(nested);
  } catch (error) {
    // Positions would be one line off because of the wrapper; the reason is what helps.
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.replace(/\s*\(\d+:\d+\)$/, '');
    throw badPatch(`error decoding YAML: ${reason}`);
  }
  return { value: isJsonObject(loaded) ? loaded[WRAPPER] : undefined };
}

/** YAML can hold values JSON cannot (.nan, .inf, tagged objects); the API server refuses those. */
function checkJson(parsed: { readonly value: unknown }): unknown {
  const visit = (value: unknown): void => {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw badPatch(`error decoding YAML: ${value} is not a JSON number`);
    }
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (typeof value === 'object' && value !== null) {
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) {
        throw badPatch('error decoding YAML: the document holds a value JSON cannot represent');
      }
      Object.values(value).forEach(visit);
    }
  };
  visit(parsed.value);
  return parsed.value;
}
