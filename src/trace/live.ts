/**
 * The live view of a cascade (the reference's `LiveTreeRenderer`): a header with the run's progress and
 * the cascade tree so far, redrawn as events arrive. Fed one event at a time by `viz live` (while the
 * simulator runs) and `viz replay` (from a trace); it only reads events, so it draws a real run's trace
 * the same way.
 */
import type { CascadeEvent, RunFinishedEvent } from '../core/events.js';
import type { RunMode } from '../core/strategy.js';
import type { HostId } from '../core/types.js';
import { formatBytes } from '../units/units.js';
import { cascadeTreeAscii } from './tree.js';

/** How one frame is laid out. */
export interface FrameOptions {
  /** Terminal rows: the tree is cut to fit, with a line saying how much was left out. */
  readonly rows: number;
  /** Terminal columns: longer lines are cut. */
  readonly columns: number;
  /** Show tree levels down to this depth (roots are depth 0); deeper hosts are counted, not listed. */
  readonly maxDepth?: number | undefined;
  /** ANSI colours: hosts done since the last frame green, failed hosts red. */
  readonly color: boolean;
}

const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';
/** Width of one tree level in {@link cascadeTreeAscii}'s output (`├── `, `│   `). */
const LEVEL_WIDTH = 4;
const TREE_PREFIX = /^[│├└─ ]*/u;

/**
 * Accumulates a run's events and draws frames. A frame is due after every round in round mode, and
 * after every host that finishes or fails in eager mode (which has no rounds to wait for).
 */
export class LiveCascadeView {
  readonly #events: CascadeEvent[] = [];
  #strategy = '';
  #mode: RunMode = 'round';
  #targets = 0;
  #done = 0;
  #failed = 0;
  #inFlight = 0;
  #round = 0;
  #bytes = 0;
  #t = 0;
  #finished: RunFinishedEvent | undefined;
  /** Hosts finished since the last frame (drawn green). */
  #fresh = new Set<HostId>();

  /**
   * Adds one event.
   * @returns whether a frame is due now.
   */
  push(e: CascadeEvent): boolean {
    this.#events.push(e);
    this.#t = Math.max(this.#t, e.t);
    switch (e.type) {
      case 'run-started':
        this.#strategy = e.strategy;
        this.#mode = e.mode;
        this.#targets = e.targets.length;
        this.#done = e.alreadyDone.length;
        return false;
      case 'round-started':
        this.#round = e.round;
        return false;
      case 'transfer-started':
        this.#inFlight++;
        return false;
      case 'transfer-finished':
        this.#inFlight--;
        this.#bytes += e.bytes;
        return false;
      case 'transfer-failed':
        this.#inFlight--;
        this.#bytes += e.deliveredBytes;
        return false;
      case 'host-done':
        this.#done++;
        this.#fresh.add(e.host);
        return this.#mode === 'eager';
      case 'host-failed':
        this.#failed++;
        return this.#mode === 'eager';
      case 'round-finished':
        return this.#mode === 'round';
      case 'run-finished':
        this.#finished = e;
        return true;
      default:
        return false;
    }
  }

  /** Whether the run's `run-finished` event has arrived. */
  get finished(): boolean {
    return this.#finished !== undefined;
  }

  /** The current frame: two header lines, then as much of the tree as fits. */
  frame(o: FrameOptions): string {
    const status = [
      `t ${this.#t.toFixed(1)} s`,
      ...(this.#mode === 'round' ? [`round ${this.#round}`] : []),
      `done ${this.#done}/${this.#targets}`,
      `failed ${this.#failed}`,
      `in flight ${this.#inFlight}`,
      `${formatBytes(this.#bytes, 2)} moved`,
    ].join(' · ');
    const end = this.#finished;
    const header = [
      `nix-cascade · ${this.#strategy} (${this.#mode} mode)${end ? ` · finished: ${end.reason}` : ''}`,
      status,
    ];
    const body = this.#treeLines(o, Math.max(1, o.rows - header.length - 1));
    const cut = (line: string): string => (line.length > o.columns ? `${line.slice(0, o.columns - 1)}…` : line);
    const lines = [...header.map(cut), ''];
    for (const line of body) lines.push(o.color ? this.#colour(cut(line)) : cut(line));
    if (o.color) lines[0] = `${BOLD}${lines[0]!}${RESET}`;
    this.#fresh = new Set();
    return `${lines.join('\n')}\n`;
  }

  #treeLines(o: FrameOptions, room: number): string[] {
    let lines = cascadeTreeAscii(this.#events).split('\n').filter((l) => l.length > 0);
    let hidden = 0;
    if (o.maxDepth !== undefined) {
      const depthOf = (l: string): number => (TREE_PREFIX.exec(l)?.[0].length ?? 0) / LEVEL_WIDTH;
      const kept = lines.filter((l) => depthOf(l) <= o.maxDepth!);
      hidden = lines.length - kept.length;
      lines = kept;
    }
    if (lines.length > room) {
      hidden += lines.length - (room - 1);
      lines = lines.slice(0, room - 1);
    }
    if (hidden > 0) lines.push(`… ${hidden} more (a taller terminal or --max-depth shows more)`);
    return lines;
  }

  #colour(line: string): string {
    if (line.includes('failed')) return `${RED}${line}${RESET}`;
    const host = line.replace(TREE_PREFIX, '').split(' ')[0]!;
    return this.#fresh.has(host) ? `${GREEN}${line}${RESET}` : line;
  }
}
