/**
 * The JSON Lines form of a trace: one `JSON.stringify(event)` per line, each line `\n`-terminated. The
 * same events give the same bytes, so {@link traceSha256} identifies a run.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { ConfigError, TraceVersionError } from '../core/errors.js';
import {
  TRACE_VERSION,
  type CascadeEvent,
  type EventSink,
  type TransferStartedEvent,
} from '../core/events.js';
import { cascadeEventSchema } from './schema.js';

/** One event as one JSON Lines line, newline included: `JSON.stringify(event)` and a newline. */
export function toJsonLine(event: CascadeEvent): string {
  return `${fastLine(event) ?? JSON.stringify(event)}\n`;
}

/*
 * The three events that make up nearly all of a big trace, encoded by hand, byte for byte as
 * `JSON.stringify` writes them, when the event is exactly the coordinator's shape (these keys in this
 * order, numbers and strings where expected); anything else takes `JSON.stringify`. A frozen path list
 * (the coordinator freezes its transfers' lists, which thousands of transfers share) is encoded once.
 */
const STARTED_KEYS = ['type', 't', 'round', 'id', 'from', 'to', 'bytes', 'paths'] as const;
const FINISHED_KEYS = ['type', 't', 'id', 'from', 'to', 'bytes'] as const;
const DONE_KEYS = ['type', 't', 'host'] as const;
const frozenListJson = new WeakMap<readonly string[], string>();

function fastLine(e: CascadeEvent): string | undefined {
  if (Object.getPrototypeOf(e) !== Object.prototype) return undefined; // a class could bring its own toJSON
  switch (e.type) {
    case 'transfer-started': {
      const head = startedHead(e);
      if (head === undefined) return undefined;
      const paths = listJson(e.paths);
      if (paths === undefined) return undefined;
      return `${head}${paths}}`;
    }
    case 'transfer-finished':
      if (!keysAre(e, FINISHED_KEYS) || !numbers(e.t, e.id, e.bytes, 0) || !strings(e.from, e.to))
        return undefined;
      return `{"type":"transfer-finished","t":${num(e.t)},"id":${num(e.id)},"from":${JSON.stringify(e.from)},"to":${JSON.stringify(e.to)},"bytes":${num(e.bytes)}}`;
    case 'host-done':
      if (!keysAre(e, DONE_KEYS) || !numbers(e.t, 0, 0, 0) || !strings(e.host, '')) return undefined;
      return `{"type":"host-done","t":${num(e.t)},"host":${JSON.stringify(e.host)}}`;
    default:
      return undefined;
  }
}

/**
 * A `transfer-started` line up to its path list (`…"paths":`), when the event has the coordinator's shape;
 * the line is this, the list's JSON, and `}`.
 */
function startedHead(e: TransferStartedEvent): string | undefined {
  if (!keysAre(e, STARTED_KEYS) || !numbers(e.t, e.round, e.id, e.bytes) || !strings(e.from, e.to))
    return undefined;
  return `{"type":"transfer-started","t":${num(e.t)},"round":${num(e.round)},"id":${num(e.id)},"from":${JSON.stringify(e.from)},"to":${JSON.stringify(e.to)},"bytes":${num(e.bytes)},"paths":`;
}

/** Whether the object's enumerable keys are exactly `keys`, in that order (JSON.stringify's order). */
function keysAre(o: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in o) if (k !== keys[i++]) return false;
  return i === keys.length;
}

function numbers(a: unknown, b: unknown, c: unknown, d: unknown): boolean {
  return typeof a === 'number' && typeof b === 'number' && typeof c === 'number' && typeof d === 'number';
}

function strings(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string';
}

/** A number as JSON writes it (`null` for NaN and ±Infinity). */
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/** JSON of a list of strings: cached when the list is frozen (it cannot change), else undefined when odd. */
function listJson(list: readonly string[]): string | undefined {
  if (!Array.isArray(list)) return undefined;
  const frozen = Object.isFrozen(list);
  if (frozen) {
    const hit = frozenListJson.get(list);
    if (hit !== undefined) return hit;
  }
  const json = JSON.stringify(list);
  if (frozen) frozenListJson.set(list, json);
  return json;
}

/** The whole trace as JSON Lines (empty string for no events). */
export function toJsonLines(events: Iterable<CascadeEvent>): string {
  let out = '';
  for (const e of events) out += toJsonLine(e);
  return out;
}

/**
 * Parses and validates a JSON Lines trace. Empty lines (such as the one after the final newline) are
 * skipped; the returned events keep their fields in the order they had in the text, so
 * `toJsonLines(parseJsonLines(text))` reproduces `text` byte for byte when it was written by
 * {@link toJsonLines}.
 *
 * @param where the file name (or other label) to put in error messages.
 * A last line that is not JSON and lacks its newline (a write cut short) is dropped.
 *
 * @throws ConfigError naming `where:<line>` for a line that is not JSON or not a valid event;
 *   TraceVersionError (a ConfigError) for a trace whose header carries a newer format version.
 */
export function parseJsonLines(text: string, where: string): CascadeEvent[] {
  const events: CascadeEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (line.trim() === '') continue;
    const at = `${where}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      // A last line without its newline was cut mid-write (a crash, a full disk): the events before it stand.
      if (i === lines.length - 1) break;
      throw new ConfigError(`not valid JSON (${(err as Error).message})`, at, { cause: err });
    }
    checkVersion(value, at);
    const checked = cascadeEventSchema.safeParse(value);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const field = issue && issue.path.length > 0 ? ` at "${issue.path.join('.')}"` : '';
      throw new ConfigError(`not a valid trace event${field}: ${issue?.message ?? 'invalid'}`, at);
    }
    // Keep the parsed object, not zod's copy: strict schemas change nothing, and key order survives.
    events.push(value as CascadeEvent);
  }
  return events;
}

/** Refuses a header (`run-started`) from a newer trace format before its fields are judged by this one's schema. */
function checkVersion(value: unknown, at: string): void {
  if (typeof value !== 'object' || value === null) return;
  const { type, version } = value as { type?: unknown; version?: unknown };
  if (type === 'run-started' && typeof version === 'number' && version > TRACE_VERSION) {
    throw new TraceVersionError(version, TRACE_VERSION, at);
  }
}

/**
 * Reads and validates a JSON Lines trace file.
 *
 * @throws ConfigError when the file cannot be read or a line is invalid.
 */
export function readTraceFile(file: string): CascadeEvent[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read trace (${(err as Error).message})`, file, { cause: err });
  }
  return parseJsonLines(text, file);
}

/** Bytes of JSON Lines gathered before one hash update: one update per line costs more than the hashing. */
const HASH_BATCH = 1 << 16;

/** The UTF-8 bytes of frozen path lists' JSON (see {@link listJson}), which thousands of lines repeat. */
const frozenListBytes = new WeakMap<readonly string[], Buffer>();

/**
 * Hashes a trace's JSON Lines bytes as the events stream by, without keeping them: lines are encoded into
 * a 64 KiB byte buffer and hashed a buffer at a time (the same bytes as line by line). A
 * `transfer-started` line's frozen path list (a whole closure: most of a big trace's bytes) is copied
 * from its cached UTF-8 bytes, not rebuilt into a string and encoded again per line.
 */
export class TraceHasher {
  readonly #hash = createHash('sha256');
  readonly #buf: Utf8Buffer;
  readonly #native: boolean;
  #len = 0;
  #count = 0;
  #digest: string | undefined;

  constructor() {
    ({ buf: this.#buf, native: this.#native } = hashBuffer(HASH_BATCH));
  }

  /** The sink to hand to the coordinator (an arrow property: fine to pass unbound). */
  readonly sink: EventSink = (event) => {
    if (event.type === 'transfer-started' && Object.getPrototypeOf(event) === Object.prototype) {
      const paths = Array.isArray(event.paths) && Object.isFrozen(event.paths) ? event.paths : undefined;
      const head = paths === undefined ? undefined : startedHead(event);
      if (head !== undefined) {
        this.#accept();
        this.#write(head);
        this.#writeBytes(listBytes(paths!));
        this.#write('}\n');
        return;
      }
    }
    this.add(toJsonLine(event));
  };

  /** Adds one already encoded line (as {@link toJsonLine} gives it). */
  add(line: string): void {
    this.#accept();
    this.#write(line);
  }

  /** How many events were hashed. */
  get count(): number {
    return this.#count;
  }

  /** Hex sha256 of every line added; no more events are accepted after it. Safe to call twice. */
  digest(): string {
    if (this.#digest === undefined) {
      this.#flush();
      this.#digest = this.#hash.digest('hex');
    }
    return this.#digest;
  }

  /** Counts one more line, refused after the digest. */
  #accept(): void {
    if (this.#digest !== undefined) throw new Error('TraceHasher received an event after digest()');
    this.#count++;
  }

  /** Appends a string's UTF-8 bytes (at most 3 per UTF-16 unit), hashing a long one at once. */
  #write(text: string): void {
    if (this.#len + 3 * text.length > HASH_BATCH) {
      this.#flush();
      if (3 * text.length > HASH_BATCH) {
        this.#hash.update(text, 'utf8');
        return;
      }
    }
    this.#len += this.#native
      ? this.#buf.utf8Write(text, this.#len)
      : this.#buf.write(text, this.#len, 'utf8');
  }

  #writeBytes(bytes: Buffer): void {
    if (this.#len + bytes.length > HASH_BATCH) {
      this.#flush();
      if (bytes.length > HASH_BATCH) {
        this.#hash.update(bytes);
        return;
      }
    }
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  #flush(): void {
    if (this.#len === 0) return;
    this.#hash.update(this.#buf.subarray(0, this.#len));
    this.#len = 0;
  }
}

/**
 * A Buffer with Node's own `utf8Write(text, offset)`: what `buffer.write(text, offset, 'utf8')` calls once
 * it has sorted out its optional arguments, which cost more than encoding a short line.
 */
interface Utf8Buffer extends Buffer {
  utf8Write(text: string, offset: number): number;
}

/** A buffer of `size` bytes, and whether it has {@link Utf8Buffer}'s method (every Node this runs on does). */
function hashBuffer(size: number): { readonly buf: Utf8Buffer; readonly native: boolean } {
  const buf = Buffer.allocUnsafe(size) as Utf8Buffer;
  return { buf, native: typeof (buf as Partial<Utf8Buffer>).utf8Write === 'function' };
}

/** The UTF-8 bytes of a frozen list's JSON, cached. */
function listBytes(list: readonly string[]): Buffer {
  let bytes = frozenListBytes.get(list);
  if (bytes === undefined) frozenListBytes.set(list, (bytes = Buffer.from(listJson(list)!, 'utf8')));
  return bytes;
}

/** Hex sha256 of the trace's JSON Lines bytes, hashed in batches (the text is never built whole). */
export function traceSha256(events: Iterable<CascadeEvent>): string {
  const hasher = new TraceHasher();
  for (const e of events) hasher.add(toJsonLine(e));
  return hasher.digest();
}

/** Options of {@link JsonlFileSink}. */
export interface JsonlFileSinkOptions {
  /**
   * Append to an existing file instead of truncating it.
   * @defaultValue false
   */
  readonly append?: boolean;
  /**
   * Bytes (UTF-16 code units) buffered before a write. Batching keeps syscalls few on big runs.
   * @defaultValue 65536
   */
  readonly bufferSize?: number;
}

/**
 * Streams events to a JSON Lines file as they happen, so a large run's trace is not held in memory a
 * second time. It also hashes what it writes: after {@link JsonlFileSink.close}, {@link JsonlFileSink.sha256}
 * equals `traceSha256(events)`.
 */
export class JsonlFileSink {
  readonly #fd: number;
  readonly #bufferSize: number;
  readonly #hash = createHash('sha256');
  #buffer = '';
  #closed = false;
  #digest: string | undefined;
  #count = 0;

  /**
   * Opens (creates or truncates) `file`.
   *
   * @throws ConfigError when the file cannot be opened or `bufferSize` is not a non-negative integer.
   */
  constructor(
    readonly file: string,
    options: JsonlFileSinkOptions = {},
  ) {
    const size = options.bufferSize ?? 65536;
    if (!Number.isInteger(size) || size < 0) {
      throw new ConfigError(`must be a non-negative integer, got ${size}`, 'JsonlFileSinkOptions.bufferSize');
    }
    this.#bufferSize = size;
    try {
      this.#fd = openSync(file, options.append === true ? 'a' : 'w');
    } catch (err) {
      throw new ConfigError(`cannot open trace file (${(err as Error).message})`, file, { cause: err });
    }
  }

  /** The sink to hand to the coordinator (an arrow property: cheap, and fine to pass unbound). */
  readonly sink: EventSink = (event) => {
    if (this.#closed) throw new Error(`JsonlFileSink(${this.file}) received an event after close()`);
    this.#count++;
    this.#buffer += toJsonLine(event);
    if (this.#buffer.length >= this.#bufferSize) this.flush();
  };

  /** How many events were written. */
  get count(): number {
    return this.#count;
  }

  /** Writes out the buffered lines now. */
  flush(): void {
    if (this.#buffer === '') return;
    const bytes = Buffer.from(this.#buffer, 'utf8');
    this.#buffer = '';
    // The hash covers exactly the bytes written, a buffer at a time.
    this.#hash.update(bytes);
    // writeSync may write less than asked (pipes, full disks that recover); loop until all is out.
    for (let off = 0; off < bytes.length;) off += writeSync(this.#fd, bytes, off, bytes.length - off);
  }

  /** Flushes and closes the file. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    closeSync(this.#fd);
    this.#closed = true;
    this.#digest = this.#hash.digest('hex');
  }

  /**
   * Hex sha256 of everything this sink wrote (this session only, also in append mode).
   *
   * @throws Error before {@link JsonlFileSink.close}.
   */
  sha256(): string {
    if (this.#digest === undefined) throw new Error('JsonlFileSink.sha256() is known only after close()');
    return this.#digest;
  }
}
