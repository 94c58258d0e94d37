// The scale run's plot is well-formed SVG with one line per per-change figure, one point per
// cluster size, axes and labels; whatever the figures (no thresholds on them).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SCALE_METRICS } from '../../../bench/report/scaleFigures.ts';
import type { ScaleFigures, ScaleMetric, ScaleSizeFigures } from '../../../bench/report/scaleFigures.ts';
import { scalePlotSvg } from '../../../bench/report/scalePlot.ts';
import { descendants, parseXml } from '../../support/xml.ts';
import type { XmlElement } from '../../support/xml.ts';

const each = (v: (k: ScaleMetric) => number): Record<ScaleMetric, number> => Object.fromEntries(SCALE_METRICS.map((k) => [k, v(k)])) as Record<ScaleMetric, number>;

function size(factor: number, normalised: number): ScaleSizeFigures {
  return {
    factor,
    services: 1_000 * factor,
    addresses: 25_000 * factor,
    nodes: 100 * factor,
    objects: 7_102 * factor,
    changes: 1_500,
    setupDurationS: 200 * factor,
    convergedS: 40,
    functionHostPeakMiB: 300,
    forwarderPeakMiB: 200,
    perChange: each(() => 2 * normalised),
    normalised: each(() => normalised),
  };
}

function figures(ratios: readonly number[]): ScaleFigures {
  const sizes = [1, 2, 4].map((f, i) => size(f, ratios[i] ?? 1));
  return { sizes, largestOverSmallest: each(() => ratios.at(-1) ?? 1), ratioBound: 1.3 };
}

const byAttr = (root: XmlElement, attr: string): XmlElement[] => descendants(root).filter((e) => attr in e.attributes);
const texts = (root: XmlElement): string[] => descendants(root).map((e) => e.text.trim()).filter((t) => t !== '');

describe('scalePlotSvg', () => {
  it('is an SVG document with one series per figure, one point per size', () => {
    const svg = parseXml(scalePlotSvg(figures([1, 1.1, 1.25]), 'Cost per change'));
    assert.equal(svg.name, 'svg');
    assert.equal(svg.attributes['xmlns'], 'http://www.w3.org/2000/svg');
    const series = byAttr(svg, 'data-metric');
    assert.deepEqual(series.map((s) => s.attributes['data-metric']), [...SCALE_METRICS]);
    for (const s of series) {
      const line = s.children.find((c) => c.name === 'polyline');
      const points = (line?.attributes['points'] ?? '').split(' ').map((p) => p.split(',').map(Number));
      assert.equal(points.length, 3, `${s.attributes['data-metric']}: a point per size`);
      assert.ok(points.every((p) => p.length === 2 && p.every(Number.isFinite)));
      const xs = points.map((p) => p[0] ?? NaN);
      assert.deepEqual([...xs].sort((a, b) => a - b), xs, 'sizes left to right');
      assert.equal(s.children.filter((c) => c.name === 'circle').length, 3);
    }
  });

  it('has both axes labelled, each size named, and the target drawn', () => {
    const svg = parseXml(scalePlotSvg(figures([1, 1.1, 1.25]), 'Cost per change'));
    const ids = new Set(byAttr(svg, 'id').map((e) => e.attributes['id']));
    for (const id of ['axes', 'x-ticks', 'y-ticks', 'x-label', 'y-label', 'target']) assert.ok(ids.has(id), id);
    const all = texts(svg);
    for (const t of ['1×', '2×', '4×', '1,000 Services', '4,000 Services', 'target ≤ 1.3×']) assert.ok(all.includes(t), t);
    assert.ok(all.some((t) => t.startsWith('cluster size')));
    assert.ok(all.some((t) => t.startsWith('per change')));
  });

  it('stays well-formed and inside its box with a title to escape and a runaway figure', () => {
    const text = scalePlotSvg(figures([1, 40, 1e12]), 'a < b & "c"');
    const svg = parseXml(text);
    assert.ok(texts(svg).includes('a < b & "c"'));
    const [, , width = NaN, height = NaN] = (svg.attributes['viewBox'] ?? '').split(' ').map(Number);
    for (const c of descendants(svg).filter((e) => e.name === 'circle')) {
      const cx = Number(c.attributes['cx']);
      const cy = Number(c.attributes['cy']);
      assert.ok(cx >= 0 && cx <= width && cy >= 0 && cy <= height, `(${cx}, ${cy}) outside ${width} x ${height}`);
    }
    assert.ok(texts(svg).some((t) => t.includes('drawn at 10×')));
  });
});

describe('parseXml (the reader the plot test relies on)', () => {
  for (const [what, bad] of [
    ['crossed tags', '<a><b></a></b>'],
    ['an unclosed element', '<a><b/>'],
    ['an unquoted attribute', '<a x=1/>'],
    ['a repeated attribute', '<a x="1" x="2"/>'],
    ['a bare ampersand', '<a>x & y</a>'],
    ['two roots', '<a/><b/>'],
    ['text outside the root', 'x<a/>'],
  ] as const) {
    it(`refuses ${what}`, () => assert.throws(() => parseXml(bad)));
  }

  it('reads elements, attributes and decoded text', () => {
    const root = parseXml('<?xml version="1.0"?>\n<a k="1 &amp; 2"><!-- c --><b>x &lt; y</b><c/></a>');
    assert.equal(root.attributes['k'], '1 & 2');
    assert.deepEqual(root.children.map((c) => c.name), ['b', 'c']);
    assert.equal(root.children[0]?.text, 'x < y');
  });
});
