// The next firing time of a six-field NCRONTAB schedule (`sec min hour day month weekday`), for the
// timer triggers the local host fires. Fields: `*`, `*/n`, numbers, lists and ranges (`a-b`).
function field(spec: string, min: number, max: number): Set<number> {
  const out = new Set<number>();
  for (const part of spec.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let lo = min;
    let hi = max;
    if (range !== '*' && range !== undefined) {
      const [a, b] = range.split('-');
      lo = Number(a);
      hi = b === undefined ? (stepText === undefined ? lo : max) : Number(b);
    }
    if (![lo, hi, step].every(Number.isInteger) || lo < min || hi > max || step < 1) throw new Error(`bad NCRONTAB field '${spec}'`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function nextFire(schedule: string, after: number): number {
  const parts = schedule.trim().split(/\s+/);
  if (parts.length !== 6) throw new Error(`NCRONTAB needs 6 fields, got '${schedule}'`);
  const [sec, min, hour, day, month, weekday] = [field(parts[0]!, 0, 59), field(parts[1]!, 0, 59), field(parts[2]!, 0, 23), field(parts[3]!, 1, 31), field(parts[4]!, 1, 12), field(parts[5]!, 0, 6)];
  let t = Math.floor(after / 1000) * 1000 + 1000;
  for (let i = 0; i < 366 * 24 * 3600; i++, t += 1000) {
    const d = new Date(t);
    if (sec.has(d.getUTCSeconds()) && min.has(d.getUTCMinutes()) && hour.has(d.getUTCHours()) && day.has(d.getUTCDate()) && month.has(d.getUTCMonth() + 1) && weekday.has(d.getUTCDay())) return t;
  }
  throw new Error(`NCRONTAB '${schedule}' never fires`);
}
