// Bicep read through tree-sitter-bicep, since no Bicep compiler runs on these machines (ADR 0007).
// A file becomes its parse tree; the declarations (params, vars, resources, modules, outputs) are
// read off the tree, and a small evaluator folds what is knowable before deployment (literals,
// variables, parameters as their one caller passes them, loop items) so that tests can compare
// names and flags with the constants of the code. Anything only Azure knows (a resource's id, a
// function call) stays an Opaque with its source text.
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type Parser from 'tree-sitter';

export type SyntaxNode = Parser.SyntaxNode;

// Both packages are CommonJS native addons.
const require = createRequire(import.meta.url);
const TreeSitter = require('tree-sitter') as typeof Parser;
const bicepLanguage = require('tree-sitter-bicep') as Parser.Language;

let parser: Parser | null = null;

export function parseBicep(source: string): SyntaxNode {
  if (!parser) {
    parser = new TreeSitter();
    parser.setLanguage(bicepLanguage);
  }
  return parser.parse(source).rootNode;
}

export function* walk(node: SyntaxNode): Generator<SyntaxNode> {
  yield node;
  for (const child of node.children) yield* walk(child);
}

/** `line:column: what` for every ERROR and MISSING node (empty for a file that parses). */
export function syntaxErrors(root: SyntaxNode): string[] {
  const errors: string[] = [];
  for (const n of walk(root)) {
    const at = `${n.startPosition.row + 1}:${n.startPosition.column + 1}`;
    if (n.isMissing) errors.push(`${at}: missing ${n.type}`);
    else if (n.type === 'ERROR') errors.push(`${at}: cannot parse ${JSON.stringify(n.text.slice(0, 60))}`);
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Files and declarations

export interface BicepFile {
  readonly path: string;
  /** Path from the repository root, with forward slashes. */
  readonly name: string;
  readonly source: string;
  readonly root: SyntaxNode;
}

export function bicepPathsUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.bicep'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export function readBicepFile(path: string, repoRoot: string): BicepFile {
  const source = readFileSync(path, 'utf8');
  return { path, name: relative(repoRoot, path).split('\\').join('/'), source, root: parseBicep(source) };
}

/** The content of a string literal without interpolation, else null. */
export function stringLiteral(node: SyntaxNode | null | undefined): string | null {
  if (!node || node.type !== 'string') return null;
  let out = '';
  for (const part of node.namedChildren) {
    if (part.type === 'string_content') out += part.text;
    else if (part.type === 'escape_sequence') out += unescape(part.text);
    else return null;
  }
  return out;
}

function unescape(sequence: string): string {
  const c = sequence.slice(1);
  if (c === 'n') return '\n';
  if (c === 'r') return '\r';
  if (c === 't') return '\t';
  if (c.startsWith('u{')) return String.fromCodePoint(parseInt(c.slice(2, -1), 16));
  return c;
}

/** The names of the decorators written above a declaration: `@secure()` gives `secure`. */
export function decoratorsOf(declaration: SyntaxNode): string[] {
  const names: string[] = [];
  for (let s = declaration.previousNamedSibling; s && (s.type === 'decorators' || s.type === 'comment'); s = s.previousNamedSibling) {
    if (s.type !== 'decorators') continue;
    for (const d of s.namedChildren) {
      const fn = d.namedChildren[0]?.childForFieldName('function');
      // `@sys.description(...)` names the namespace too.
      if (fn) names.push(fn.type === 'member_expression' ? (fn.childForFieldName('property')?.text ?? fn.text) : fn.text);
    }
  }
  return names;
}

function childOfType(node: SyntaxNode, type: string): SyntaxNode | null {
  return node.namedChildren.find((c) => c.type === type) ?? null;
}

/** The value after `=` of a declaration: the node following the `=` token. */
function assignedValue(declaration: SyntaxNode): SyntaxNode | null {
  const children = declaration.children;
  const eq = children.findIndex((c) => c.type === '=');
  return eq < 0 ? null : (children.slice(eq + 1).find((c) => c.isNamed && c.type !== 'comment') ?? null);
}

export interface Loop {
  /** The item variable, and the index variable of `for (item, i) in ...`. */
  readonly item: string;
  readonly index: string | null;
  readonly iterable: SyntaxNode;
}

/** A resource or module body: its object, the loop it repeats over and the condition it needs. */
export interface Body {
  readonly object: SyntaxNode | null;
  readonly loop: Loop | null;
  readonly condition: SyntaxNode | null;
}

function bodyOf(value: SyntaxNode | null): Body {
  if (!value) return { object: null, loop: null, condition: null };
  if (value.type === 'object') return { object: value, loop: null, condition: null };
  if (value.type === 'if_statement') {
    return { object: childOfType(value, 'object'), loop: null, condition: childOfType(value, 'parenthesized_expression') };
  }
  if (value.type === 'for_statement') {
    const params = childOfType(value, 'for_loop_parameters');
    const initializer = value.childForFieldName('initializer');
    const body = value.childForFieldName('body');
    // Node wrappers are not stable objects: find the iterable by position, right after `in`.
    const children = value.children;
    const iterable = children.slice(children.findIndex((c) => c.type === 'in') + 1).find((c) => c.isNamed && c.type !== 'comment');
    if (!iterable) throw new Error(`a for expression without an iterable: ${value.text.slice(0, 80)}`);
    const item = params ? (childOfType(params, 'loop_variable')?.text ?? '') : (initializer?.text ?? '');
    const index = params ? (childOfType(params, 'loop_enumerator')?.text ?? null) : null;
    const inner = bodyOf(body);
    return { object: inner.object, loop: { item, index, iterable }, condition: inner.condition };
  }
  return { object: null, loop: null, condition: null };
}

export interface ResourceDeclaration {
  readonly file: BicepFile;
  readonly node: SyntaxNode;
  readonly symbol: string;
  /** `Microsoft.Storage/storageAccounts`, without the API version. */
  readonly type: string;
  /** The text after `@`, or null when the type names none. */
  readonly apiVersion: string | null;
  readonly existing: boolean;
  readonly body: Body;
}

export interface ModuleDeclaration {
  readonly file: BicepFile;
  readonly node: SyntaxNode;
  readonly symbol: string;
  /** As written (`./modules/storage.bicep`). */
  readonly path: string;
  /** Absolute path of a local module; null for a registry reference. */
  readonly target: string | null;
  readonly body: Body;
}

export interface ParamDeclaration {
  readonly file: BicepFile;
  readonly node: SyntaxNode;
  readonly name: string;
  readonly decorators: readonly string[];
  readonly defaultValue: SyntaxNode | null;
}

export interface VarDeclaration {
  readonly file: BicepFile;
  readonly node: SyntaxNode;
  readonly name: string;
  readonly value: SyntaxNode | null;
}

export interface OutputDeclaration {
  readonly file: BicepFile;
  readonly node: SyntaxNode;
  readonly name: string;
  readonly decorators: readonly string[];
  readonly value: SyntaxNode | null;
}

export function resourcesOf(file: BicepFile): ResourceDeclaration[] {
  return [...walk(file.root)]
    .filter((n) => n.type === 'resource_declaration')
    .map((node) => {
      const typeText = stringLiteral(childOfType(node, 'string')) ?? '';
      const at = typeText.indexOf('@');
      return {
        file,
        node,
        symbol: childOfType(node, 'identifier')?.text ?? '',
        type: at < 0 ? typeText : typeText.slice(0, at),
        apiVersion: at < 0 ? null : typeText.slice(at + 1),
        existing: node.children.some((c) => c.type === 'existing'),
        body: bodyOf(assignedValue(node)),
      };
    });
}

export function modulesOf(file: BicepFile): ModuleDeclaration[] {
  return file.root.namedChildren
    .filter((n) => n.type === 'module_declaration')
    .map((node) => {
      const path = stringLiteral(childOfType(node, 'string')) ?? '';
      const local = !/^[a-z]+:/i.test(path);
      return { file, node, symbol: childOfType(node, 'identifier')?.text ?? '', path, target: local ? resolve(dirname(file.path), path) : null, body: bodyOf(assignedValue(node)) };
    });
}

export function paramsOf(file: BicepFile): ParamDeclaration[] {
  return file.root.namedChildren
    .filter((n) => n.type === 'parameter_declaration')
    .map((node) => ({ file, node, name: childOfType(node, 'identifier')?.text ?? '', decorators: decoratorsOf(node), defaultValue: assignedValue(node) }));
}

export function varsOf(file: BicepFile): VarDeclaration[] {
  return file.root.namedChildren
    .filter((n) => n.type === 'variable_declaration')
    .map((node) => ({ file, node, name: childOfType(node, 'identifier')?.text ?? '', value: assignedValue(node) }));
}

export function outputsOf(file: BicepFile): OutputDeclaration[] {
  return file.root.namedChildren
    .filter((n) => n.type === 'output_declaration')
    .map((node) => ({ file, node, name: childOfType(node, 'identifier')?.text ?? '', decorators: decoratorsOf(node), value: assignedValue(node) }));
}

/** `targetScope`, or Bicep's default. */
export function targetScopeOf(file: BicepFile): string {
  const assignment = file.root.namedChildren.find((n) => n.type === 'target_scope_assignment');
  return stringLiteral(assignment ? childOfType(assignment, 'string') : null) ?? 'resourceGroup';
}

/** The key of an object property: an identifier, or a string without interpolation. */
export function propertyKey(property: SyntaxNode): string | null {
  const key = property.namedChildren[0];
  if (!key) return null;
  return key.type === 'string' ? stringLiteral(key) : key.text;
}

/** The value node of `key:` in an object node. */
export function property(object: SyntaxNode | null, key: string): SyntaxNode | null {
  if (!object) return null;
  for (const p of object.namedChildren) {
    if (p.type === 'object_property' && propertyKey(p) === key) return p.namedChildren.at(-1) ?? null;
  }
  return null;
}

/** The value node at a path of keys: `propertyAt(body, 'properties', 'allowSharedKeyAccess')`. */
export function propertyAt(object: SyntaxNode | null, ...keys: string[]): SyntaxNode | null {
  let node = object;
  for (const key of keys) node = node?.type === 'object' ? property(node, key) : null;
  return node;
}

export function propertyKeys(object: SyntaxNode | null): string[] {
  if (!object) return [];
  return object.namedChildren.filter((p) => p.type === 'object_property').map((p) => propertyKey(p) ?? `<computed ${p.namedChildren[0]?.text ?? ''}>`);
}

/** The name a call expression calls: `listKeys` for both `listKeys(x)` and `storage.listKeys()`. */
export function calledName(call: SyntaxNode): string {
  const fn = call.childForFieldName('function');
  if (!fn) return '';
  return fn.type === 'member_expression' ? (fn.childForFieldName('property')?.text ?? '') : fn.text;
}

export function callArguments(call: SyntaxNode): SyntaxNode[] {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** A value known only at deployment (a resource id, a function call), with its source text. */
export class Opaque {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export type BicepValue = string | number | boolean | null | Opaque | readonly BicepValue[] | { readonly [key: string]: BicepValue };

export function isBicepObject(value: BicepValue): value is { readonly [key: string]: BicepValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Opaque);
}

/** A value as text, for messages and comparisons: a string as it is, an Opaque as its source. */
export function textOf(value: BicepValue | undefined): string {
  if (typeof value === 'string') return value;
  if (value instanceof Opaque) return value.text;
  return JSON.stringify(value ?? null);
}

export type Bindings = ReadonlyMap<string, BicepValue>;

const NO_BINDINGS: Bindings = new Map();

/** Every .bicep file of a folder, and what can be known of its values before deployment. */
export class BicepProject {
  readonly files: readonly BicepFile[];
  private readonly byPath: ReadonlyMap<string, BicepFile>;

  constructor(files: readonly BicepFile[]) {
    this.files = files;
    this.byPath = new Map(files.map((f) => [f.path, f]));
  }

  static load(dir: string, repoRoot: string): BicepProject {
    return new BicepProject(bicepPathsUnder(dir).map((p) => readBicepFile(p, repoRoot)));
  }

  file(name: string): BicepFile {
    const f = this.files.find((x) => x.name === name);
    if (!f) throw new Error(`no Bicep file ${name} (have ${this.files.map((x) => x.name).join(', ')})`);
    return f;
  }

  resources(): ResourceDeclaration[] {
    return this.files.flatMap(resourcesOf);
  }

  modules(): ModuleDeclaration[] {
    return this.files.flatMap(modulesOf);
  }

  /** The module declarations that deploy `file`. */
  callersOf(file: BicepFile): ModuleDeclaration[] {
    return this.modules().filter((m) => m.target === file.path);
  }

  targetOf(module: ModuleDeclaration): BicepFile | null {
    return module.target && existsSync(module.target) ? (this.byPath.get(module.target) ?? null) : null;
  }

  /** A resource body with its loop expanded: one evaluated object per item (one without a loop). */
  instances(resource: ResourceDeclaration): { readonly [key: string]: BicepValue }[] {
    const { object } = resource.body;
    if (!object) return [];
    return this.loopBindings(resource).map((bindings) => this.objectValue(resource.file, object, bindings));
  }

  /** The loop variables of each instance of a resource, in order (one empty set without a loop). */
  loopBindings(resource: ResourceDeclaration): Bindings[] {
    const { loop } = resource.body;
    if (!loop) return [NO_BINDINGS];
    const items = this.evaluate(resource.file, loop.iterable);
    if (!Array.isArray(items)) return [];
    return (items as readonly BicepValue[]).map((item, i) => {
      const bindings = new Map<string, BicepValue>([[loop.item, item]]);
      if (loop.index) bindings.set(loop.index, i);
      return bindings;
    });
  }

  evaluate(file: BicepFile, node: SyntaxNode | null, bindings: Bindings = NO_BINDINGS, depth = 0): BicepValue {
    if (!node) return null;
    if (depth > 50) return new Opaque(node.text);
    const next = (n: SyntaxNode | null, b: Bindings = bindings): BicepValue => this.evaluate(file, n, b, depth + 1);
    switch (node.type) {
      case 'string':
      case 'multiline_string':
        return this.stringValue(file, node, bindings, depth);
      case 'number':
        return Number(node.text);
      case 'boolean':
        return node.text === 'true';
      case 'null':
        return null;
      case 'array':
        return node.namedChildren.filter((c) => c.type !== 'comment' && c.type !== 'decorators').map((c) => next(c));
      case 'object':
        return this.objectValue(file, node, bindings, depth);
      case 'parenthesized_expression':
        return next(node.namedChildren.find((c) => c.type !== 'comment') ?? null);
      case 'identifier':
        return this.identifierValue(file, node, bindings, depth);
      case 'member_expression': {
        const target = next(node.childForFieldName('object'));
        const key = node.childForFieldName('property')?.text ?? '';
        return isBicepObject(target) && key in target ? (target[key] ?? null) : new Opaque(node.text);
      }
      case 'subscript_expression': {
        const target = next(node.childForFieldName('object'));
        const index = next(node.childForFieldName('index'));
        if (Array.isArray(target) && typeof index === 'number') return (target as readonly BicepValue[])[index] ?? null;
        if (isBicepObject(target) && typeof index === 'string') return target[index] ?? null;
        return new Opaque(node.text);
      }
      case 'ternary_expression': {
        const condition = next(node.childForFieldName('condition'));
        if (typeof condition !== 'boolean') return new Opaque(node.text);
        return next(node.childForFieldName(condition ? 'consequence' : 'alternative'));
      }
      case 'unary_expression': {
        const operand = next(node.childForFieldName('argument'));
        const operator = node.childForFieldName('operator')?.text;
        if (operator === '!' && typeof operand === 'boolean') return !operand;
        if (operator === '-' && typeof operand === 'number') return -operand;
        return new Opaque(node.text);
      }
      case 'call_expression': {
        const args = callArguments(node).map((a) => next(a));
        const name = calledName(node);
        const [first] = args;
        if (name === 'empty' && (typeof first === 'string' || Array.isArray(first))) return first.length === 0;
        if (name === 'empty' && isBicepObject(first ?? null)) return Object.keys(first as object).length === 0;
        if (name === 'toLower' && typeof first === 'string') return first.toLowerCase();
        if (name === 'toUpper' && typeof first === 'string') return first.toUpperCase();
        if (name === 'union' && args.length > 0 && args.every(isBicepObject)) {
          return args.reduce<Record<string, BicepValue>>((merged, a) => ({ ...merged, ...a }), {});
        }
        // A role definition's id is the same in every subscription but for the prefix.
        if (name === 'subscriptionResourceId' && args.length > 1 && args.every((a) => typeof a === 'string')) {
          return `/subscriptions/{subscription}/providers/${args.join('/')}`;
        }
        return new Opaque(node.text);
      }
      default:
        return new Opaque(node.text);
    }
  }

  private objectValue(file: BicepFile, node: SyntaxNode, bindings: Bindings, depth = 0): { readonly [key: string]: BicepValue } {
    const out: Record<string, BicepValue> = {};
    for (const p of node.namedChildren) {
      if (p.type !== 'object_property') continue;
      const keyNode = p.namedChildren[0];
      const key = keyNode?.type === 'string' ? this.stringValue(file, keyNode, bindings, depth) : (keyNode?.text ?? '');
      const value = p.namedChildren.at(-1) ?? null;
      out[typeof key === 'string' ? key : `<computed ${keyNode?.text ?? ''}>`] = value?.type === 'resource_declaration' ? new Opaque(value.text) : this.evaluate(file, value, bindings, depth + 1);
    }
    return out;
  }

  private stringValue(file: BicepFile, node: SyntaxNode, bindings: Bindings, depth: number): BicepValue {
    if (node.type === 'multiline_string') return node.text.slice(3, -3);
    let out = '';
    for (const part of node.namedChildren) {
      if (part.type === 'string_content') out += part.text;
      else if (part.type === 'escape_sequence') out += unescape(part.text);
      else if (part.type === 'interpolation') {
        const value = this.evaluate(file, part.namedChildren.find((c) => c.type !== 'comment') ?? null, bindings, depth + 1);
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out += String(value);
        else return new Opaque(node.text);
      }
    }
    return out;
  }

  private identifierValue(file: BicepFile, node: SyntaxNode, bindings: Bindings, depth: number): BicepValue {
    const name = node.text;
    if (bindings.has(name)) return bindings.get(name) ?? null;
    const variable = varsOf(file).find((v) => v.name === name);
    if (variable) return this.evaluate(file, variable.value, NO_BINDINGS, depth + 1);
    const param = paramsOf(file).find((p) => p.name === name);
    if (param) return this.paramValue(param, depth);
    return new Opaque(name);
  }

  /** A parameter as its one caller passes it, else its default; Opaque when neither says. */
  private paramValue(param: ParamDeclaration, depth: number): BicepValue {
    const callers = this.callersOf(param.file);
    if (callers.length > 1) return new Opaque(`param ${param.name} (${callers.length} callers)`);
    const caller = callers[0];
    const passed = caller ? propertyAt(caller.body.object, 'params', param.name) : null;
    if (caller && passed) return this.evaluate(caller.file, passed, NO_BINDINGS, depth + 1);
    if (param.defaultValue) return this.evaluate(param.file, param.defaultValue, NO_BINDINGS, depth + 1);
    return new Opaque(`param ${param.name}`);
  }
}
