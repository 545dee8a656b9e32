import type { PlanView } from '../../core/strategy.js';
import type { HostId, PathId } from '../../core/types.js';

const NONE: readonly PathId[] = [];

/**
 * What `swarm` needs to know about every host at the start of a plan call, kept across calls by fleet
 * position and re-read only for the hosts the view reports changed (`PlanView.changedSince`): eager mode
 * calls `plan` after every outcome, and asking the view about each of 1,000 hosts every call (~2,000
 * look-ups) was most of a call. Holds: the pending targets, each host's receive slots, send slots and
 * load, whether it holds anything, its missing and incoming sets and missing bytes, and the copies in
 * flight to pending hosts per path.
 */
export class SwarmHosts {
  readonly ids: readonly HostId[];
  readonly uplink: Float64Array;
  readonly downlink: Float64Array;
  /** Receive slots left (0 when it cannot receive). */
  readonly recvLeft: Int32Array;
  /** 1 when `canSend`. */
  readonly canSend: Uint8Array;
  readonly sending: Int32Array;
  /** 1 when it holds any path. */
  readonly holdsAny: Uint8Array;
  /** 1 while it is a pending target. */
  readonly pending: Uint8Array;
  readonly missing: ReadonlySet<PathId>[];
  readonly incoming: ReadonlySet<PathId>[];
  /** Seconds of receiving left at its downlink (pending hosts only). */
  readonly left: Float64Array;
  /** Copies in flight to pending hosts, per path. */
  readonly flying = new Map<PathId, number>();
  /** Pending targets' positions, fleet order (ones no longer pending dropped at the next refresh). */
  #pendingPos: number[] = [];
  /** Each host's contribution to `flying`: its incoming paths while pending. */
  readonly #counted: (readonly PathId[])[];
  readonly view: PlanView;
  readonly #index = new Map<HostId, number>();
  readonly #missingBytes: (host: HostId) => number;
  #stamp = -1;
  #dropped = false;

  constructor(view: PlanView, missingBytes: (host: HostId) => number) {
    this.view = view;
    this.#missingBytes = missingBytes;
    const hosts = view.fleet.hosts;
    const n = hosts.length;
    this.ids = hosts.map((h) => h.id);
    this.ids.forEach((id, i) => this.#index.set(id, i));
    this.uplink = Float64Array.from(hosts, (h) => view.host(h.id).uplink);
    this.downlink = Float64Array.from(hosts, (h) => view.host(h.id).downlink);
    this.recvLeft = new Int32Array(n);
    this.canSend = new Uint8Array(n);
    this.sending = new Int32Array(n);
    this.holdsAny = new Uint8Array(n);
    this.pending = new Uint8Array(n);
    this.missing = new Array<ReadonlySet<PathId>>(n);
    this.incoming = new Array<ReadonlySet<PathId>>(n);
    this.left = new Float64Array(n);
    this.#counted = new Array<readonly PathId[]>(n).fill(NONE);
  }

  /** Brings every figure up to date with the view: only the changed hosts when the view can say which. */
  refresh(): void {
    const view = this.view;
    const changed = this.#stamp < 0 ? undefined : view.changedSince(this.#stamp);
    this.#stamp = view.changeStamp();
    if (changed === undefined) {
      for (let i = 0; i < this.ids.length; i++) this.pending[i] = 0;
      for (const t of view.pending()) this.pending[this.#index.get(t)!] = 1;
      this.#pendingPos = [];
      for (let i = 0; i < this.ids.length; i++) {
        if (this.pending[i]) this.#pendingPos.push(i);
        this.#read(i);
      }
      return;
    }
    for (const id of changed) this.#read(this.#index.get(id)!);
    if (this.#dropped) {
      this.#pendingPos = this.#pendingPos.filter((i) => this.pending[i] === 1);
      this.#dropped = false;
    }
  }

  /** Pending targets' positions, fleet order (as `PlanView.pending`). */
  pendingPositions(): readonly number[] {
    return this.#pendingPos;
  }

  #read(i: number): void {
    const view = this.view;
    const id = this.ids[i]!;
    const host = view.host(id);
    if (this.pending[i] && (view.isDone(id) || view.isFailed(id))) {
      this.pending[i] = 0;
      this.#dropped = true;
    }
    this.recvLeft[i] = view.canReceive(id) ? host.maxReceives - view.receiving(id) : 0;
    this.canSend[i] = view.canSend(id) ? 1 : 0;
    this.sending[i] = view.sending(id);
    this.holdsAny[i] = view.have(id).size > 0 ? 1 : 0;
    const incoming = view.incoming(id);
    this.incoming[i] = incoming;
    this.missing[i] = view.missing(id);
    const flying = this.flying;
    for (const p of this.#counted[i]!) {
      const c = flying.get(p)! - 1;
      if (c === 0) flying.delete(p);
      else flying.set(p, c);
    }
    const counted = this.pending[i] && incoming.size > 0 ? [...incoming] : NONE;
    for (const p of counted) flying.set(p, (flying.get(p) ?? 0) + 1);
    this.#counted[i] = counted;
    this.left[i] = this.pending[i] ? this.#missingBytes(id) / host.downlink : 0;
  }
}
