// The first lines of a run's Markdown: when, which mode, which commit, on which machine.
import type { RunContext } from '../runContext.ts';

const n = (x: number): string => x.toLocaleString('en-US');

export function runHeaderLines(r: RunContext & { readonly startedAt: string; readonly mode: string; readonly elapsedS: number }): string[] {
  const dirty = r.uncommittedFiles > 0 ? ` plus ${r.uncommittedFiles} uncommitted file(s)` : '';
  return [
    `Run of ${r.startedAt} (${r.mode}), commit \`${r.commit}\`${dirty}, ${n(r.elapsedS)} s.`,
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${n(r.machine.memoryGiB)} GiB, Node ${r.machine.node}, ${r.machine.platform}; load average ${r.machine.loadAverage.join(' ')} at start (the cores are shared).`,
  ];
}
