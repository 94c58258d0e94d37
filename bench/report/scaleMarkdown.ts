// The Markdown of a scale run: per cluster size, what a change of the steady churn costs, the
// largest size over the smallest against issue 15's bound, and the plot beside the file.
import { SCALE_METRICS, SCALE_METRIC_TITLES, scaleVerdicts } from './scaleFigures.ts';
import type { ScaleFigures, ScaleMetric } from './scaleFigures.ts';

const n = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
const DIGITS: Readonly<Record<ScaleMetric, number>> = { busyMsPerChange: 1, tableTransactionsPerChange: 2, serviceBusOperationsPerChange: 2, p99Ms: 0 };
const UNITS: Readonly<Record<ScaleMetric, string>> = { busyMsPerChange: ' ms', tableTransactionsPerChange: '', serviceBusOperationsPerChange: '', p99Ms: ' ms' };

export interface ScaleRunHeader {
  /** The first lines: when, what commit, which machine. */
  readonly lines: readonly string[];
  /** The plot's file name, relative to the Markdown file. */
  readonly plotFile: string;
  readonly changesPerSecond: number;
  readonly churnSeconds: number;
}

export function scaleMarkdownOf(f: ScaleFigures, h: ScaleRunHeader): string {
  const met = scaleVerdicts(f);
  const first = f.sizes[0]?.factor ?? 1;
  const last = f.sizes.at(-1)?.factor ?? 1;
  const out: string[] = [...h.lines, ''];
  out.push(`**The cost curve** (steady churn, ${n(h.changesPerSecond)} changes/s for ${n(h.churnSeconds)} s, on each size's own fresh pipeline; per Kubernetes change)`);
  out.push('');
  out.push(row(['cluster', 'Services', 'addresses', 'nodes', 'changes', 'set-up s', ...SCALE_METRICS.map((k) => SCALE_METRIC_TITLES[k]), 'full convergence s']));
  out.push(row(['---', '---:', '---:', '---:', '---:', '---:', ...SCALE_METRICS.map(() => '---:'), '---:']));
  for (const s of f.sizes) {
    out.push(row([
      `${s.factor}×`,
      n(s.services),
      n(s.addresses),
      n(s.nodes),
      n(s.changes),
      n(s.setupDurationS, 1),
      ...SCALE_METRICS.map((k) => `${n(s.perChange[k], DIGITS[k])}${UNITS[k]} (${n(s.normalised[k], 2)}×)`),
      n(s.convergedS, 1),
    ]));
  }
  out.push(row([`**${last}× ÷ ${first}×**`, '', '', '', '', '', ...SCALE_METRICS.map((k) => `**${n(f.largestOverSmallest[k], 2)}** (≤ ${f.ratioBound}: ${met[k] ? 'met' : '**not met**'})`), '']));
  out.push('');
  out.push(`Peak RSS per size (function host / forwarder, MiB): ${f.sizes.map((s) => `${s.factor}× ${n(s.functionHostPeakMiB)} / ${n(s.forwarderPeakMiB)}`).join('; ')}.`);
  out.push('');
  out.push(`![Per-change figures against cluster size, normalised to ${first}×](${h.plotFile})`);
  return out.join('\n');
}
