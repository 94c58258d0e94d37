// The core is pure by construction: it may import only its own modules, and it may not reach for
// the clock, randomness or the process. This test reads the sources, so a new import fails it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const dir = join(import.meta.dirname, '../../../shared/engine');
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') }));

describe('shared/engine purity', () => {
  it('has source files to check', () => {
    assert.ok(sources.length >= 20, `only ${sources.length} files found in ${dir}`);
  });

  for (const { file, text } of sources) {
    it(`${file} imports only sibling engine modules`, () => {
      const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? '');
      for (const s of specifiers) assert.match(s, /^\.\/[\w.]+\.ts$/, `${file} imports ${s}`);
      assert.doesNotMatch(text, /\bimport\s*\(/, `${file} uses a dynamic import`);
    });

    it(`${file} reads no clock, randomness or process state`, () => {
      const code = text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
      for (const banned of [/\bDate\.now\b/, /\bnew Date\b/, /\bMath\.random\b/, /\bperformance\.now\b/, /\bprocess\./, /\bsetTimeout\b/, /\bsetInterval\b/, /\bcrypto\b/]) {
        assert.doesNotMatch(code, banned, `${file} uses ${banned.source}`);
      }
    });
  }
});
