/**
 * Collecting a run's events in memory, and sending one event stream to several consumers.
 */
import type { CascadeEvent, EventSink } from '../core/events.js';

/**
 * Keeps every event of a run, in emission order. Pass `recorder.sink` as the coordinator's `onEvent`.
 *
 * @example
 * const rec = new TraceRecorder();
 * await runCascade({ ...options, onEvent: rec.sink });
 * const sha = traceSha256(rec.events());
 */
export class TraceRecorder {
  readonly #events: CascadeEvent[] = [];

  /**
   * The sink to hand to the coordinator. An arrow property, so it can be passed around unbound; it only
   * pushes onto an array because it runs inside the coordinator loop.
   */
  readonly sink: EventSink = (event) => {
    this.#events.push(event);
  };

  /** The events recorded so far, in order. The returned array is live; do not mutate it. */
  events(): readonly CascadeEvent[] {
    return this.#events;
  }

  /** How many events were recorded. */
  get length(): number {
    return this.#events.length;
  }

  /** Forgets every recorded event (to reuse the recorder for another run). */
  clear(): void {
    this.#events.length = 0;
  }
}

/** A sink that drops every event (the default when nobody listens). */
export const nullSink: EventSink = () => undefined;

/**
 * One sink that forwards each event to every given sink, in argument order (the reference's `MultiSink`).
 * With no sinks it is {@link nullSink}; with one it is that sink itself, so there is no extra call.
 */
export function fanOut(...sinks: readonly EventSink[]): EventSink {
  if (sinks.length === 0) return nullSink;
  if (sinks.length === 1) return sinks[0]!;
  const all = [...sinks];
  return (event) => {
    for (const s of all) s(event);
  };
}
