// Where and on what a run ran: the machine, the commit and whether the tree was clean. Both the
// full run and the scale run record it, so that a figure can be traced to the code that made it.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface Machine {
  readonly cpuModel: string;
  readonly cpus: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly loadAverage: readonly number[];
}

export interface RunContext {
  readonly commit: string;
  /** Tracked files that differed from the commit when the run started. */
  readonly uncommittedFiles: number;
  readonly machine: Machine;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function git(...args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Read at the start of a run: the load average then, and the code that is about to run. */
export function runContext(): RunContext {
  // The code that ran is HEAD plus whatever was not committed yet: say so.
  const uncommitted = (git('status', '--porcelain', '--untracked-files=no') ?? '').split('\n').filter((l) => l.trim() !== '').length;
  return {
    commit: git('rev-parse', 'HEAD') ?? 'unknown',
    uncommittedFiles: uncommitted,
    machine: {
      cpuModel: cpus()[0]?.model ?? 'unknown',
      cpus: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    },
  };
}
