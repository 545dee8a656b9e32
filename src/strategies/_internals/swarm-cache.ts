/**
 * A number per (host, shared path) pair, by fleet position and path bit, kept until the host's version
 * changes: `SwarmRun`'s missing reference bytes, asked about the same pairs at every eager plan call. Typed
 * arrays instead of a map per host (the map look-ups were a tenth of a 1,000-host eager run).
 */
export class HostPathCache {
  readonly #paths: number;
  /** Per host and path, the value; NaN when not known. */
  readonly #values: Float64Array;
  /** Per host, the version its row was filled under; -1 before any. */
  readonly #version: Float64Array;

  /** @throws RangeError when `hosts` or `paths` is negative or not an integer. */
  constructor(hosts: number, paths: number) {
    if (!Number.isInteger(hosts) || !Number.isInteger(paths) || hosts < 0 || paths < 0)
      throw new RangeError(`HostPathCache: bad size ${hosts} × ${paths}`);
    this.#paths = paths;
    this.#values = new Float64Array(hosts * paths).fill(NaN);
    this.#version = new Float64Array(hosts).fill(-1);
  }

  /** The value of host `i` and path `b` stored under `version`; undefined when none (or an older one). */
  get(i: number, b: number, version: number): number | undefined {
    if (this.#version[i] !== version) return undefined;
    const v = this.#values[i * this.#paths + b]!;
    return Number.isNaN(v) ? undefined : v;
  }

  /** Stores `value` for host `i` and path `b` under `version`, forgetting the host's values of other versions. */
  set(i: number, b: number, version: number, value: number): void {
    const base = i * this.#paths;
    if (this.#version[i] !== version) {
      this.#values.fill(NaN, base, base + this.#paths);
      this.#version[i] = version;
    }
    this.#values[base + b] = value;
  }
}
