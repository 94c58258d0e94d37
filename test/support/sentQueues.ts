// The queues a program sends to, read from its source: every module reachable by relative imports
// from an entry point is parsed (TypeScript's parser, no type checker: fast), and every object
// literal with a `queue` and a `messageId` (an OutgoingMessage, shared/messages/outgoing.ts) names
// its queue; a message body that names a queue (a rejected message) is a versioned envelope and
// carries `v`, which an OutgoingMessage never does. A queue given by anything but a string literal or a string constant is an error, not
// a guess, so that a new way of building messages cannot slip past the role tests.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface SentQueue {
  readonly queue: string;
  /** `path:line` of the message literal, from the repository root. */
  readonly at: string;
}

function sourceOf(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** The entry point and every module it reaches through relative imports and re-exports. */
function reachable(entry: string): ts.SourceFile[] {
  const seen = new Map<string, ts.SourceFile>();
  const pending = [resolve(entry)];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (seen.has(path)) continue;
    const file = sourceOf(path);
    seen.set(path, file);
    for (const statement of file.statements) {
      const specifier = ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) ? statement.moduleSpecifier : undefined;
      if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) pending.push(resolve(dirname(path), specifier.text));
    }
  }
  return [...seen.values()];
}

/** Top-level `const NAME = 'literal'` of every file, by name. */
function stringConstants(files: readonly ts.SourceFile[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of files) {
    for (const statement of file.statements) {
      if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && ts.isStringLiteral(d.initializer)) out.set(d.name.text, d.initializer.text);
      }
    }
  }
  return out;
}

function propertyNamed(object: ts.ObjectLiteralExpression, name: string): ts.ObjectLiteralElementLike | undefined {
  return object.properties.find((p) => p.name !== undefined && ts.isIdentifier(p.name) && p.name.text === name);
}

export function queuesSentFrom(entry: string, repoRoot: string): SentQueue[] {
  const files = reachable(entry);
  const constants = stringConstants(files);
  const out: SentQueue[] = [];
  for (const file of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node) && propertyNamed(node, 'messageId') && !propertyNamed(node, 'v')) {
        const queue = propertyNamed(node, 'queue');
        if (queue) {
          const at = `${relative(repoRoot, file.fileName)}:${file.getLineAndCharacterOfPosition(queue.getStart()).line + 1}`;
          const value = ts.isPropertyAssignment(queue) ? queue.initializer : ts.isShorthandPropertyAssignment(queue) ? queue.name : undefined;
          const name =
            value && ts.isStringLiteral(value) ? value.text : value && ts.isIdentifier(value) ? constants.get(value.text) : undefined;
          if (name === undefined) throw new Error(`${at}: a message whose queue is not a string literal or constant: ${queue.getText()}`);
          out.push({ queue: name, at });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return out;
}
