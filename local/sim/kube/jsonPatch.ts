// JSON Patch (RFC 6902): an array of add, remove, replace, move, copy and test operations applied
// in order; the first that fails fails the whole patch and nothing is applied.
//
// Status codes follow the API server: a body that does not decode as an array of operation
// objects is 400; everything found while applying (unknown op, missing member, a path that does
// not exist, an index out of bounds, a failed test) is 422.
import { arrayIndex, parsePointer } from './jsonPointer.ts';
import { badPatch, unprocessable } from './patchFailure.ts';
import { cloneJson, cloneObject, getOwn, hasOwn, isJsonObject, jsonEqual, setOwn, show } from './patchJson.ts';
import type { JsonObject } from './patchJson.ts';

type Operation = { readonly op: string; readonly path: string; readonly raw: JsonObject };

/** Applies `patch` to a copy of `target`; the result may be any JSON value (the caller checks). */
export function applyJsonPatch(target: JsonObject, patch: unknown): unknown {
  if (!Array.isArray(patch)) {
    throw badPatch('json patch must be an array of operations');
  }
  patch.forEach((raw, i) => {
    if (!isJsonObject(raw)) throw badPatch(`json patch operation ${i} is not an object: ${show(raw)}`);
  });
  let document: unknown = cloneObject(target);
  for (const raw of patch as JsonObject[]) {
    document = applyOperation(document, operationOf(raw));
  }
  return document;
}

function operationOf(raw: JsonObject): Operation {
  const op = getOwn(raw, 'op');
  if (typeof op !== 'string') throw unprocessable(`json patch operation has no "op": ${show(raw)}`);
  const path = getOwn(raw, 'path');
  if (typeof path !== 'string') throw unprocessable(`json patch ${op} operation has no "path": ${show(raw)}`);
  return { op, path, raw };
}

function applyOperation(document: unknown, operation: Operation): unknown {
  const { op, path } = operation;
  const tokens = parsePointer(path, op);
  switch (op) {
    case 'add':
      return add(document, tokens, cloneJson(valueOf(operation)), operation);
    case 'remove':
      return remove(document, tokens, operation);
    case 'replace':
      return replace(document, tokens, cloneJson(valueOf(operation)), operation);
    case 'move': {
      const from = fromOf(operation);
      const fromTokens = parsePointer(from, op);
      const value = get(document, fromTokens, operation, from);
      if (from === path) return document;
      if (path.startsWith(`${from}/`)) {
        throw unprocessable(`json patch move operation cannot move ${JSON.stringify(from)} into its own child ${JSON.stringify(path)}`);
      }
      return add(remove(document, fromTokens, operation, from), tokens, value, operation);
    }
    case 'copy': {
      const from = fromOf(operation);
      const value = get(document, parsePointer(from, op), operation, from);
      return add(document, tokens, cloneJson(value), operation);
    }
    case 'test': {
      const actual = get(document, tokens, operation);
      if (!jsonEqual(actual, valueOf(operation))) {
        throw unprocessable(`json patch test operation failed at path ${JSON.stringify(path)}: ` +
          `expected ${show(valueOf(operation))}, found ${show(actual)}`);
      }
      return document;
    }
    default:
      throw unprocessable(`json patch operation ${JSON.stringify(op)} at path ${JSON.stringify(path)} is not supported`);
  }
}

function valueOf(operation: Operation): unknown {
  if (!hasOwn(operation.raw, 'value')) {
    throw unprocessable(`json patch ${operation.op} operation at path ${JSON.stringify(operation.path)} has no "value"`);
  }
  return operation.raw.value;
}

function fromOf(operation: Operation): string {
  const from = getOwn(operation.raw, 'from');
  if (typeof from !== 'string') {
    throw unprocessable(`json patch ${operation.op} operation at path ${JSON.stringify(operation.path)} has no "from"`);
  }
  return from;
}

function missing(operation: Operation, pointer: string, why = 'does not exist'): Error {
  return unprocessable(`json patch ${operation.op} operation failed: path ${JSON.stringify(pointer)} ${why}`);
}

/** The container that holds the last token's member: every token before it must exist. */
function parentOf(document: unknown, tokens: readonly string[], operation: Operation, pointer: string): unknown {
  return tokens.length === 1 ? document : get(document, tokens.slice(0, -1), operation, pointer);
}

function get(document: unknown, tokens: readonly string[], operation: Operation, pointer = operation.path): unknown {
  let current = document;
  for (const token of tokens) {
    if (Array.isArray(current)) {
      const index = arrayIndex(token, current.length, false);
      if (index === null) throw missing(operation, pointer);
      current = current[index];
    } else if (isJsonObject(current) && hasOwn(current, token)) {
      current = current[token];
    } else {
      throw missing(operation, pointer);
    }
  }
  return current;
}

function add(document: unknown, tokens: readonly string[], value: unknown, operation: Operation): unknown {
  if (tokens.length === 0) return value;
  const parent = parentOf(document, tokens, operation, operation.path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    const index = arrayIndex(last, parent.length, true);
    if (index === null) throw missing(operation, operation.path, 'is not an index inside the array (out of bounds)');
    parent.splice(index, 0, value);
  } else if (isJsonObject(parent)) {
    setOwn(parent, last, value);
  } else {
    throw missing(operation, operation.path, 'has a parent that is neither an object nor an array');
  }
  return document;
}

/** In place, so a replaced object member keeps its position among the members. */
function replace(document: unknown, tokens: readonly string[], value: unknown, operation: Operation): unknown {
  if (tokens.length === 0) return value;
  get(document, tokens, operation);
  const parent = parentOf(document, tokens, operation, operation.path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    parent[Number(last)] = value;
  } else {
    setOwn(parent as JsonObject, last, value);
  }
  return document;
}

function remove(document: unknown, tokens: readonly string[], operation: Operation, pointer = operation.path): unknown {
  if (tokens.length === 0) throw missing(operation, pointer, 'is the whole document, which cannot be removed');
  const parent = parentOf(document, tokens, operation, pointer);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    const index = arrayIndex(last, parent.length, false);
    if (index === null) throw missing(operation, pointer);
    parent.splice(index, 1);
  } else if (isJsonObject(parent) && hasOwn(parent, last)) {
    delete parent[last];
  } else {
    throw missing(operation, pointer);
  }
  return document;
}
