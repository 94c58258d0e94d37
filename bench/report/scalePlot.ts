// The scale run's plot: each per-change figure against cluster size, normalised to the smallest
// size, with the 1.3x target as a dashed line. Hand-written SVG text, so that the benchmark needs
// no plotting library and the file diffs as text when docs/img/bench-scale.svg is refreshed.
import { SCALE_METRICS, SCALE_METRIC_TITLES } from './scaleFigures.ts';
import type { ScaleFigures, ScaleMetric } from './scaleFigures.ts';

const WIDTH = 840;
const HEIGHT = 420;
const PLOT = { left: 70, right: 470, top: 50, bottom: 350 } as const;
/** Ratios above this are drawn at it (and say so): one runaway figure must not flatten the others. */
const Y_CAP = 10;
const COLOURS: Readonly<Record<ScaleMetric, string>> = {
  busyMsPerChange: '#1f77b4',
  tableTransactionsPerChange: '#2ca02c',
  serviceBusOperationsPerChange: '#ff7f0e',
  p99Ms: '#d62728',
};

export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fixed = (x: number): string => String(Math.round(x * 10) / 10);

/** A tick step that gives about five ticks up to `max`. */
function tickStep(max: number): number {
  for (const step of [0.25, 0.5, 1, 2]) if (max / step <= 8) return step;
  return 5;
}

export function scalePlotSvg(f: ScaleFigures, title: string): string {
  const factors = f.sizes.map((s) => s.factor);
  const xMin = Math.min(...factors);
  const xMax = Math.max(...factors, xMin + 1);
  const highest = Math.max(f.ratioBound, ...f.sizes.flatMap((s) => SCALE_METRICS.map((k) => Math.min(s.normalised[k], Y_CAP))));
  const step = tickStep(highest);
  const yMax = Math.ceil((highest * 1.05) / step) * step;
  const x = (factor: number): number => PLOT.left + ((factor - xMin) / (xMax - xMin)) * (PLOT.right - PLOT.left);
  const y = (ratio: number): number => PLOT.bottom - (Math.min(ratio, Y_CAP) / yMax) * (PLOT.bottom - PLOT.top);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`);
  out.push(`<title>${xmlEscape(title)}</title>`);
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  out.push(`<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15">${xmlEscape(title)}</text>`);
  // Axes, ticks and grid.
  out.push(`<g id="axes" stroke="#333333">`);
  out.push(`<line x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}"/>`);
  out.push(`<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.bottom}"/>`);
  out.push('</g>');
  out.push('<g id="x-ticks" text-anchor="middle">');
  for (const s of f.sizes) {
    out.push(`<line x1="${fixed(x(s.factor))}" y1="${PLOT.bottom}" x2="${fixed(x(s.factor))}" y2="${PLOT.bottom + 5}" stroke="#333333"/>`);
    out.push(`<text x="${fixed(x(s.factor))}" y="${PLOT.bottom + 20}">${s.factor}×</text>`);
    out.push(`<text x="${fixed(x(s.factor))}" y="${PLOT.bottom + 34}" font-size="10" fill="#555555">${s.services.toLocaleString('en-US')} Services</text>`);
  }
  out.push('</g>');
  out.push('<g id="y-ticks" text-anchor="end">');
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    out.push(`<line x1="${PLOT.left}" y1="${fixed(y(v))}" x2="${PLOT.right}" y2="${fixed(y(v))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${PLOT.left - 8}" y="${fixed(y(v) + 4)}">${v}×</text>`);
  }
  out.push('</g>');
  out.push(`<text id="x-label" x="${(PLOT.left + PLOT.right) / 2}" y="${HEIGHT - 12}" text-anchor="middle">cluster size (Services, addresses and nodes × the 1× cluster)</text>`);
  out.push(`<text id="y-label" transform="translate(18 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">per change, ÷ the 1× figure</text>`);
  out.push(`<g id="target"><line x1="${PLOT.left}" y1="${fixed(y(f.ratioBound))}" x2="${PLOT.right}" y2="${fixed(y(f.ratioBound))}" stroke="#777777" stroke-dasharray="6 4"/>`);
  out.push(`<text x="${PLOT.right - 4}" y="${fixed(y(f.ratioBound) - 5)}" text-anchor="end" fill="#555555">target ≤ ${f.ratioBound}×</text></g>`);
  // One line per figure, and its legend entry.
  for (const [i, k] of SCALE_METRICS.entries()) {
    const points = f.sizes.map((s) => `${fixed(x(s.factor))},${fixed(y(s.normalised[k]))}`).join(' ');
    const clipped = f.sizes.some((s) => s.normalised[k] > Y_CAP) ? ` (above ${Y_CAP}× drawn at ${Y_CAP}×)` : '';
    const last = f.sizes.at(-1)?.normalised[k] ?? 0;
    out.push(`<g class="series" data-metric="${k}" stroke="${COLOURS[k]}" fill="${COLOURS[k]}">`);
    out.push(`<polyline points="${points}" fill="none" stroke-width="2"/>`);
    for (const s of f.sizes) out.push(`<circle cx="${fixed(x(s.factor))}" cy="${fixed(y(s.normalised[k]))}" r="3.5"><title>${s.factor}×: ${s.normalised[k]}× (${s.perChange[k]})</title></circle>`);
    const ly = PLOT.top + 10 + i * 22;
    out.push(`<line x1="${PLOT.right + 20}" y1="${ly}" x2="${PLOT.right + 44}" y2="${ly}" stroke-width="2"/>`);
    out.push(`<text x="${PLOT.right + 50}" y="${ly + 4}" stroke="none" fill="#222222">${xmlEscape(`${SCALE_METRIC_TITLES[k]}: ${last}×${clipped}`)}</text>`);
    out.push('</g>');
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
