// The documentation stays true to the code and renders on GitHub: every relative link in README.md
// and docs/ resolves (anchors included), every Mermaid block starts with a diagram keyword and has
// its blocks closed, the configuration reference names every setting the code reads, the state
// machine names every op state (and no other), and the runbook names every metric the code emits.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { NETWORK_SETTINGS } from '../../../shared/azure/networkConfig.ts';
import { defaultEngineConfig } from '../../../shared/engine/config.ts';
import { OP_STATES } from '../../../shared/engine/types.ts';
import { QUEUES } from '../../../shared/messages/outgoing.ts';
import { ENGINE_METRIC_NAMES } from '../../../shared/telemetry/metricNames.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

function markdownFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownFilesUnder(path));
    else if (entry.name.endsWith('.md')) out.push(path);
  }
  return out.sort();
}

const DOCS = ['README.md', ...markdownFilesUnder('docs')];

// ---------------------------------------------------------------------------------------------
// Markdown: fenced blocks, headings, links

interface Fence {
  readonly info: string;
  readonly body: string;
  readonly line: number;
}

/** The text with fenced code blocks blanked out (line count kept), and the blocks themselves. */
function splitFences(text: string): { readonly prose: string; readonly fences: readonly Fence[] } {
  const lines = text.split('\n');
  const prose: string[] = [];
  const fences: Fence[] = [];
  let open: { marker: string; info: string; line: number; body: string[] } | null = null;
  for (const [i, line] of lines.entries()) {
    const m = /^\s*(```+|~~~+)\s*([^`\s]*)/.exec(line);
    if (open === null && m) {
      open = { marker: m[1] ?? '```', info: m[2] ?? '', line: i + 1, body: [] };
      prose.push('');
    } else if (open !== null && line.trim().startsWith(open.marker) && line.trim().replace(/[`~]/g, '') === '') {
      fences.push({ info: open.info, body: open.body.join('\n'), line: open.line });
      open = null;
      prose.push('');
    } else if (open !== null) {
      open.body.push(line);
      prose.push('');
    } else {
      prose.push(line);
    }
  }
  assert.equal(open, null, `a fence opened on line ${open?.line ?? 0} is never closed`);
  return { prose: prose.join('\n'), fences };
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', repeats numbered. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of splitFences(text).prose.split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const slug = (m[1] ?? '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

interface Link {
  readonly file: string;
  readonly target: string;
}

/** Relative Markdown links (`[text](target)`, images too) outside code blocks and code spans. */
function relativeLinksOf(file: string): Link[] {
  const prose = splitFences(read(file)).prose.replace(/`[^`\n]*`/g, '');
  const out: Link[] = [];
  for (const m of prose.matchAll(/!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1] ?? '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    out.push({ file, target });
  }
  return out;
}

function brokenLink(link: Link): string | null {
  const [pathPart = '', anchor] = link.target.split('#', 2);
  const path = pathPart === '' ? join(ROOT, link.file) : resolve(ROOT, dirname(link.file), decodeURIComponent(pathPart));
  if (!path.startsWith(ROOT)) return 'points outside the repository';
  if (!existsSync(path)) return `${relative(ROOT, path)} does not exist`;
  if (anchor === undefined || anchor === '') return null;
  if (statSync(path).isDirectory() || !path.endsWith('.md')) return `an anchor on ${relative(ROOT, path)}, which is not a Markdown file`;
  const anchors = anchorsOf(readFileSync(path, 'utf8'));
  return anchors.has(decodeURIComponent(anchor).toLowerCase()) ? null : `no heading gives the anchor #${anchor} in ${relative(ROOT, path)}`;
}

describe('Markdown links', () => {
  it('finds the documents and their links', () => {
    assert.ok(DOCS.includes('docs/README.md') && DOCS.includes('docs/runbook.md'), `documents found: ${DOCS.join(', ')}`);
    assert.ok(relativeLinksOf('docs/README.md').length >= 10, 'the docs index links its documents');
  });

  it('reads GitHub anchors the way GitHub writes them', () => {
    const anchors = anchorsOf('# Why has my Service no IP yet?\n## `host.json`, setting by setting\n## 5. Verify\n## Metrics\n## Metrics\n```sh\n# not a heading\n```\n');
    assert.deepEqual([...anchors], ['why-has-my-service-no-ip-yet', 'hostjson-setting-by-setting', '5-verify', 'metrics', 'metrics-1']);
  });

  it('reports a link to a missing file or a missing anchor', () => {
    assert.match(brokenLink({ file: 'docs/README.md', target: 'no-such-file.md' }) ?? '', /does not exist/);
    assert.match(brokenLink({ file: 'docs/README.md', target: 'runbook.md#no-such-heading' }) ?? '', /no heading gives the anchor/);
    assert.equal(brokenLink({ file: 'docs/README.md', target: 'runbook.md#metrics' }), null);
  });

  for (const file of DOCS) {
    it(`resolves every relative link in ${file}`, () => {
      const broken = relativeLinksOf(file).flatMap((l) => {
        const why = brokenLink(l);
        return why === null ? [] : [`${l.target}: ${why}`];
      });
      assert.deepEqual(broken, []);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Mermaid

const DIAGRAM_KEYWORDS = ['flowchart', 'graph', 'stateDiagram-v2', 'stateDiagram', 'sequenceDiagram', 'classDiagram', 'erDiagram'];
const SEQUENCE_OPENERS = /^(loop|alt|opt|par|critical|break|rect|box)\b/;
const SEQUENCE_MIDDLES = /^(else|and|option)\b/;

/** What is wrong with one Mermaid block, or an empty list. */
function mermaidProblems(body: string): string[] {
  const lines = body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('%%'));
  const first = lines[0] ?? '';
  const keyword = DIAGRAM_KEYWORDS.find((k) => first === k || first.startsWith(`${k} `));
  if (keyword === undefined) return [`starts with "${first}", not a diagram keyword (${DIAGRAM_KEYWORDS.join(', ')})`];
  const problems: string[] = [];
  let depth = 0;
  const close = (line: string): void => {
    depth--;
    if (depth < 0) problems.push(`"${line}" closes a block that was never opened`);
  };
  for (const line of lines.slice(1)) {
    if (keyword === 'sequenceDiagram') {
      if (SEQUENCE_OPENERS.test(line)) depth++;
      else if (line === 'end') close(line);
      else if (SEQUENCE_MIDDLES.test(line) && depth === 0) problems.push(`"${line}" outside any block`);
      else if (/^[^:]*(-|=)+>>?[^:]*:.*;/.test(line)) problems.push(`"${line}": a ';' in a message ends the statement`);
    } else if (keyword === 'flowchart' || keyword === 'graph') {
      if (/^subgraph\b/.test(line)) depth++;
      else if (line === 'end') close(line);
    } else if (keyword.startsWith('stateDiagram')) {
      if (/^state\b.*\{$/.test(line)) depth++;
      else if (line === '}') close(line);
    }
  }
  if (depth > 0) problems.push(`${depth} block(s) never closed`);
  return problems;
}

const MERMAID_BLOCKS = DOCS.flatMap((file) =>
  splitFences(read(file))
    .fences.filter((f) => f.info === 'mermaid')
    .map((f) => ({ file, line: f.line, body: f.body })),
);

describe('Mermaid blocks', () => {
  it('has the diagrams the docs promise', () => {
    const kinds = MERMAID_BLOCKS.map((b) => b.body.trim().split(/\s/)[0]);
    for (const k of ['flowchart', 'stateDiagram-v2', 'sequenceDiagram']) assert.ok(kinds.includes(k), `a ${k} block exists`);
  });

  it('reports a wrong keyword, an unclosed block and a stray end', () => {
    assert.match(mermaidProblems('sequenceDiagorm\n  A->>B: hi').join(), /not a diagram keyword/);
    assert.match(mermaidProblems('sequenceDiagram\n  alt x\n  A->>B: hi').join(), /never closed/);
    assert.match(mermaidProblems('flowchart LR\n  a --> b\n  end').join(), /never opened/);
    assert.match(mermaidProblems('sequenceDiagram\n  else y').join(), /outside any block/);
    assert.match(mermaidProblems('sequenceDiagram\n  A->>B: one; two').join(), /';'/);
    assert.deepEqual(mermaidProblems('flowchart TD\n  subgraph s["x"]\n    a --> b\n  end'), []);
  });

  for (const block of MERMAID_BLOCKS) {
    it(`${block.file}, line ${block.line}: starts with a diagram keyword and closes its blocks`, () => {
      assert.deepEqual(mermaidProblems(block.body), []);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Configuration reference

/** Property names of the object literal passed to `z.object(...)` in `const settingsSchema = …`. */
function settingNamesIn(path: string): string[] {
  const source = ts.createSourceFile(path, read(path), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  let names: string[] | null = null;
  const visit = (node: ts.Node): void => {
    if (names === null && ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'object') {
      const arg = node.arguments[0];
      if (arg && ts.isObjectLiteralExpression(arg)) {
        names = arg.properties.flatMap((p) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? [p.name.text] : []));
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  source.forEachChild((node) => {
    if (ts.isVariableStatement(node)) {
      for (const d of node.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === 'settingsSchema' && d.initializer) visit(d.initializer);
    }
  });
  assert.ok(names !== null, `${path} declares settingsSchema = z.object({...})`);
  return names;
}

const CONFIGURATION = read('docs/configuration.md');

function missingFromConfiguration(names: readonly string[]): string[] {
  return names.filter((n) => !CONFIGURATION.includes(`\`${n}\``));
}

describe('docs/configuration.md', () => {
  it('reads the setting names from the schemas', () => {
    const app = settingNamesIn('functions/settings.ts');
    assert.ok(app.includes('ENGINE_CLUSTERS') && app.includes('AZURE_CLIENT_ID'), `functions/settings.ts: ${app.join(', ')}`);
    const forwarder = settingNamesIn('forwarder/settings.ts');
    assert.ok(forwarder.includes('CLUSTER_NAME') && forwarder.includes('FORWARDER_STALL_MS'), `forwarder/settings.ts: ${forwarder.join(', ')}`);
  });

  const sources: readonly { readonly what: string; readonly names: () => readonly string[] }[] = [
    { what: 'every app setting of functions/settings.ts', names: () => settingNamesIn('functions/settings.ts') },
    { what: 'every network setting of shared/azure/networkConfig.ts', names: () => Object.values(NETWORK_SETTINGS) },
    { what: 'every engine tunable of shared/engine/config.ts', names: () => [...Object.keys(defaultEngineConfig), ...Object.keys(defaultEngineConfig.backoff)] },
    { what: 'every forwarder setting of forwarder/settings.ts', names: () => settingNamesIn('forwarder/settings.ts') },
    { what: 'every queue of shared/messages/outgoing.ts', names: () => QUEUES },
  ];
  for (const s of sources) {
    it(`names ${s.what}`, () => {
      assert.deepEqual(missingFromConfiguration(s.names()), []);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// State machine, architecture, runbook

describe('docs/state-machine.md', () => {
  const doc = read('docs/state-machine.md');
  const diagram = splitFences(doc).fences.find((f) => f.info === 'mermaid' && f.body.trim().startsWith('stateDiagram-v2'));

  it('has a stateDiagram-v2', () => {
    assert.ok(diagram, 'a ```mermaid stateDiagram-v2 block');
  });

  for (const state of OP_STATES) {
    it(`names the state ${state} in the table and the diagram`, () => {
      assert.ok(doc.includes(`\`${state}\``), `\`${state}\` in the text`);
      assert.match(diagram?.body ?? '', new RegExp(`(^|\\s)${state}(\\s|:|$)`, 'm'));
    });
  }

  it('draws transitions only between the engine\'s states', () => {
    const known = new Set<string>([...OP_STATES, '[*]']);
    const transitions = (diagram?.body ?? '').split('\n').flatMap((l) => {
      const m = /^\s*(\S+)\s*-->\s*([^:\s]+)/.exec(l);
      return m ? [[m[1] ?? '', m[2] ?? '']] : [];
    });
    assert.ok(transitions.length >= OP_STATES.length, 'the diagram has transitions');
    assert.deepEqual(transitions.flat().filter((s) => !known.has(s)), []);
  });
});

describe('docs/architecture.md', () => {
  it('names every queue of the code in its component diagram', () => {
    const diagram = splitFences(read('docs/architecture.md')).fences.find((f) => f.info === 'mermaid')?.body ?? '';
    assert.deepEqual(QUEUES.filter((q) => !diagram.includes(q)), []);
  });
});

describe('docs/runbook.md', () => {
  const runbook = read('docs/runbook.md');

  it('names every engine metric of shared/telemetry/metricNames.ts', () => {
    assert.ok(ENGINE_METRIC_NAMES.length > 0);
    assert.deepEqual(ENGINE_METRIC_NAMES.filter((n) => !runbook.includes(`\`${n}\``)), []);
  });

  it('names every forwarder metric of forwarder/metrics.ts', () => {
    const names = [...new Set([...read('forwarder/metrics.ts').matchAll(/'(forwarder_[a-z_]+)'/g)].map((m) => m[1] ?? ''))];
    assert.ok(names.length >= 10, `forwarder metrics found: ${names.join(', ')}`);
    assert.deepEqual(names.filter((n) => !runbook.includes(`\`${n}`)), []);
  });

  it('names only metrics the code emits', () => {
    const known = new Set<string>(ENGINE_METRIC_NAMES);
    const named = [...new Set([...runbook.matchAll(/\bengine_[a-z_]+\b/g)].map((m) => m[0]))];
    assert.deepEqual(named.filter((n) => !known.has(n)), []);
  });
});
