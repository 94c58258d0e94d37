// A binary min-heap keyed by a number: the event queue of the baseline model.
export class MinHeap<T> {
  private readonly items: { key: number; seq: number; value: T }[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  /** Equal keys come out in the order they went in. */
  push(key: number, value: T): void {
    const item = { key, seq: this.seq++, value };
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i], a[p])) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): { key: number; value: T } | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined) return undefined;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m])) m = l;
        if (r < a.length && this.less(a[r], a[m])) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return { key: top.key, value: top.value };
  }

  private less(x: { key: number; seq: number } | undefined, y: { key: number; seq: number } | undefined): boolean {
    if (!x || !y) return false;
    return x.key < y.key || (x.key === y.key && x.seq < y.seq);
  }

  private swap(i: number, j: number): void {
    const a = this.items;
    const t = a[i];
    const u = a[j];
    if (t === undefined || u === undefined) return;
    a[i] = u;
    a[j] = t;
  }
}
