/** A binary min-heap of (distance, node) ordered by distance, then push order (the library's tie break). */
export class DijkstraHeap {
  readonly #dist: number[] = [];
  readonly #seq: number[] = [];
  readonly #node: number[] = [];
  #count = 0;

  push(dist: number, node: number): void {
    let i = this.#dist.length;
    this.#dist.push(dist);
    this.#seq.push(this.#count++);
    this.#node.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  pop(): [number, number] | undefined {
    const size = this.#dist.length;
    if (size === 0) return undefined;
    const top: [number, number] = [this.#dist[0]!, this.#node[0]!];
    this.#swap(0, size - 1);
    this.#dist.pop();
    this.#seq.pop();
    this.#node.pop();
    const n = size - 1;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.#less(l, m)) m = l;
      if (r < n && this.#less(r, m)) m = r;
      if (m === i) break;
      this.#swap(i, m);
      i = m;
    }
    return top;
  }

  #less(a: number, b: number): boolean {
    const da = this.#dist[a]!;
    const db = this.#dist[b]!;
    return da < db || (da === db && this.#seq[a]! < this.#seq[b]!);
  }

  #swap(a: number, b: number): void {
    const d = this.#dist[a]!;
    this.#dist[a] = this.#dist[b]!;
    this.#dist[b] = d;
    const s = this.#seq[a]!;
    this.#seq[a] = this.#seq[b]!;
    this.#seq[b] = s;
    const n = this.#node[a]!;
    this.#node[a] = this.#node[b]!;
    this.#node[b] = n;
  }
}
