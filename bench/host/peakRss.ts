// A process's peak resident set size, from the kernel's high-water mark (Linux /proc). Sampling
// would miss a short peak; VmHWM cannot.
import { readFileSync } from 'node:fs';

/** Peak RSS in bytes of a live process, or null where /proc is not there. */
export function peakRssBytes(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] === undefined ? null : Number(m[1]) * 1024;
  } catch {
    return null;
  }
}
