/**
 * Host selection for `nix-cascade deploy --on …`: colmena's node filter (comma-separated names, globs
 * and `@tag` terms, OR'd; `meta.allowApplyAll = false` refuses a deploy without `--on`) plus
 * ClusterShell/NodeSet bracket ranges (`web[01-12]`, `r[1-2]n[01-03]`).
 *
 * Strictness is deliberate: a deploy that silently selects fewer hosts than the operator typed is worse
 * than one that refuses to start, so every term must select something and every name a bracket range
 * spells out must exist.
 */
import { ConfigError } from '../core/errors.js';

/** Where selection errors point: the flag the terms came from. */
const WHERE = '--on';

/** The largest number of names one term may expand to (`r[1-1000]n[1-1000]` is refused). */
export const MAX_RANGE_EXPANSION = 100_000;

/** How many names an error message lists before it says "and N more". */
const LIST_LIMIT = 20;

/** A host as selection sees it: its name and its tags (`deployment.tags`). */
export interface SelectableHost {
  readonly name: string;
  readonly tags: readonly string[];
}

/** Options of {@link selectHosts}. */
export interface SelectOptions {
  /**
   * colmena's `meta.allowApplyAll`: when `false`, a selection without `--on` is refused instead of
   * selecting the whole fleet. Default `true`.
   */
  readonly allowApplyAll?: boolean;
}

/**
 * A selection that is well-formed but does not match the fleet: an unknown host, a glob or tag term
 * matching nothing, a range naming hosts that do not exist, or no `--on` where the fleet requires one.
 * It carries what the user could have selected, so a CLI can print or complete it.
 */
export class SelectionError extends ConfigError {
  /** Every host name, in fleet order. */
  readonly available: string[];
  /** Every tag of the fleet, sorted, without the `@`. */
  readonly availableTags: string[];
  /** The terms (or, for bracket ranges, the expanded names) that selected nothing, as written. */
  readonly unmatched: string[];
  constructor(
    message: string,
    details: { available: string[]; availableTags: string[]; unmatched: string[] },
    options?: ErrorOptions,
  ) {
    super(message, WHERE, options);
    this.available = details.available;
    this.availableTags = details.availableTags;
    this.unmatched = details.unmatched;
  }
}

/**
 * Selects hosts with colmena's `--on` syntax plus bracket ranges. Returns names in fleet order, each
 * once, however many terms select it.
 *
 * `on` is a comma-separated list of terms (commas inside brackets belong to the range), OR'd together;
 * whitespace around terms is trimmed. A term is:
 * - an exact host name (`web-01`): must exist;
 * - a glob with `*` (any run of characters) and `?` (one character) (`web-*`): must match a host;
 * - `@` and a tag, globs allowed (`@db`, `@role-*`): must match a tag some host carries;
 * - a name with NodeSet brackets: `web[01-12]` (zero padding kept as written: web01…web12),
 *   `web[1,3,5-7]`, several brackets in one term (`r[1-2]n[01-03]`), combined with globs
 *   (`rack[1-3]-*`) or after `@` (`@rack[1-2]`). The term expands to the cartesian product of its
 *   brackets; **every** expanded name must exist (every expanded glob must match), colmena-like: a typo
 *   in a range is an error naming the missing names, never a smaller deploy.
 *
 * `[`…`]` are always ranges, never glob character classes. Globs are matched by a linear scan, not a
 * RegExp built from the pattern, so a pattern cannot cost more than O(pattern × name).
 *
 * @param hosts the fleet, in fleet order; names must be unique.
 * @param on the `--on` value, or `undefined` when the flag was not given (the whole fleet, unless
 *   `allowApplyAll` is `false`).
 * @throws ConfigError (where `--on`) for an empty or malformed term: `web[3-1]`, an unclosed or nested
 *   bracket, `@` alone, a range wider than {@link MAX_RANGE_EXPANSION}; (where `hosts[i].name`) for a
 *   fleet with duplicate names.
 * @throws SelectionError for a term that selects nothing, missing names of a range, or no `--on` with
 *   `allowApplyAll: false`. All such terms are reported together.
 */
export function selectHosts(
  hosts: readonly SelectableHost[],
  on: string | undefined,
  options: SelectOptions = {},
): string[] {
  const index = new Map<string, number>();
  hosts.forEach((h, i) => {
    if (index.has(h.name)) throw new ConfigError(`duplicate host name "${h.name}"`, `hosts[${i}].name`);
    index.set(h.name, i);
  });
  const details = (unmatched: string[]): ConstructorParameters<typeof SelectionError>[1] => ({
    available: hosts.map((h) => h.name),
    availableTags: fleetTags(hosts),
    unmatched,
  });

  if (on === undefined) {
    if (options.allowApplyAll === false) {
      throw new SelectionError(
        'this fleet sets allowApplyAll = false: pass --on to choose hosts (names, globs, @tags, ranges)',
        details([]),
      );
    }
    return hosts.map((h) => h.name);
  }

  // Parse everything first: a malformed term is reported before any matching is attempted.
  const terms = splitTerms(on).map(parseTerm);

  const selected = new Set<number>();
  const problems: string[] = [];
  const unmatched: string[] = [];
  let tagProblem = false;
  for (const term of terms) {
    const missing: string[] = [];
    for (const pattern of term.patterns) {
      const hits = matchPattern(hosts, index, term.tag, pattern);
      if (hits.length === 0) missing.push(term.tag ? `@${pattern.text}` : pattern.text);
      for (const i of hits) selected.add(i);
    }
    if (missing.length === 0) continue;
    unmatched.push(...(term.hasRange ? missing : [term.text]));
    if (term.tag) tagProblem = true;
    problems.push(describeMiss(term, missing));
  }

  if (problems.length > 0) {
    const d = details(unmatched);
    const lines = [...problems, `available hosts: ${shortList(d.available)}`];
    if (tagProblem) {
      lines.push(
        `available tags: ${d.availableTags.length > 0 ? shortList(d.availableTags.map((t) => `@${t}`)) : '(none)'}`,
      );
    }
    throw new SelectionError(lines.join('; '), d);
  }
  return [...selected].sort((a, b) => a - b).map((i) => hosts[i]!.name);
}

/** One parsed `--on` term: the expansion of its brackets into glob patterns. */
interface Term {
  readonly text: string;
  readonly tag: boolean;
  readonly hasRange: boolean;
  readonly patterns: readonly Pattern[];
}

/** One pattern after bracket expansion; `glob` is false when it is a plain name (looked up exactly). */
interface Pattern {
  readonly text: string;
  readonly glob: boolean;
}

function describeMiss(term: Term, missing: readonly string[]): string {
  if (term.tag) {
    return term.hasRange
      ? `"${term.text}": no host has the tag(s) ${shortList(missing)}`
      : `"${term.text}": no host has a tag matching "${term.text.slice(1)}"`;
  }
  if (term.hasRange) return `"${term.text}": no such host(s) ${shortList(missing)}`;
  return term.patterns[0]!.glob ? `"${term.text}" matches no host` : `unknown host "${term.text}"`;
}

/** Splits on commas outside brackets; a bracket left open (or closed without opening) is malformed. */
function splitTerms(on: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < on.length; i++) {
    const c = on[i];
    if (c === '[') depth++;
    else if (c === ']') {
      if (depth === 0) throw new ConfigError(`"]" without "[" in "${on}"`, WHERE);
      depth--;
    } else if (c === ',' && depth === 0) {
      out.push(on.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new ConfigError(`unclosed "[" in "${on}"`, WHERE);
  out.push(on.slice(start));
  return out.map((t) => t.trim());
}

function parseTerm(raw: string): Term {
  if (raw === '') throw new ConfigError('empty term (a stray comma, or --on with nothing after it)', WHERE);
  const tag = raw.startsWith('@');
  const body = tag ? raw.slice(1) : raw;
  if (body === '') throw new ConfigError(`"${raw}": "@" needs a tag after it`, WHERE);
  const parts = parseBrackets(raw, body);
  let count = 1;
  for (const p of parts) {
    if (typeof p !== 'string') {
      count *= p.length;
      if (count > MAX_RANGE_EXPANSION) {
        throw new ConfigError(`"${raw}" expands to more than ${MAX_RANGE_EXPANSION} names`, WHERE);
      }
    }
  }
  const texts = parts.reduce<string[]>(
    (acc, p) => (typeof p === 'string' ? acc.map((a) => a + p) : acc.flatMap((a) => p.map((x) => a + x))),
    [''],
  );
  return {
    text: raw,
    tag,
    hasRange: parts.some((p) => typeof p !== 'string'),
    patterns: texts.map((text) => ({ text, glob: text.includes('*') || text.includes('?') })),
  };
}

/** Cuts `body` into literal text and bracket alternatives (each already expanded to its strings). */
function parseBrackets(raw: string, body: string): Array<string | string[]> {
  const parts: Array<string | string[]> = [];
  let i = 0;
  while (i < body.length) {
    const open = body.indexOf('[', i);
    if (open < 0) {
      parts.push(body.slice(i));
      break;
    }
    if (open > i) parts.push(body.slice(i, open));
    const close = body.indexOf(']', open);
    // splitTerms already checked balance; a nested "[" is still malformed.
    const inner = body.slice(open + 1, close);
    if (close < 0 || inner.includes('[')) throw new ConfigError(`"${raw}": nested or unclosed "["`, WHERE);
    parts.push(expandRangeSet(raw, inner));
    i = close + 1;
  }
  return parts;
}

const DIGITS = /^[0-9]+$/;

/** `1,3,5-7` → ['1','3','5','6','7']; `01-03` → ['01','02','03'] (the lower bound's padding). */
function expandRangeSet(raw: string, inner: string): string[] {
  if (inner.trim() === '') throw new ConfigError(`"${raw}": empty brackets`, WHERE);
  const out: string[] = [];
  for (const piece of inner.split(',')) {
    const item = piece.trim();
    const dash = item.indexOf('-');
    const lo = dash < 0 ? item : item.slice(0, dash).trim();
    const hi = dash < 0 ? item : item.slice(dash + 1).trim();
    if (!DIGITS.test(lo) || !DIGITS.test(hi)) {
      throw new ConfigError(
        `"${raw}": "[${inner}]" must hold numbers or ranges like 1-5, comma-separated`,
        WHERE,
      );
    }
    const a = Number(lo);
    const b = Number(hi);
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) {
      throw new ConfigError(`"${raw}": number too large in "[${inner}]"`, WHERE);
    }
    if (a > b) throw new ConfigError(`"${raw}": range ${item} runs backwards`, WHERE);
    if (b - a + 1 + out.length > MAX_RANGE_EXPANSION) {
      throw new ConfigError(`"${raw}" expands to more than ${MAX_RANGE_EXPANSION} names`, WHERE);
    }
    // Padding as written: "01-12" pads to 2; "8-10" pads nothing. A padded upper bound of another
    // width ("1-010") has no obvious meaning, so it is refused rather than guessed.
    const padded = lo.length > 1 && lo.startsWith('0');
    if (hi.length > 1 && hi.startsWith('0') && hi.length !== lo.length) {
      throw new ConfigError(`"${raw}": ${item} pads its bounds to different widths`, WHERE);
    }
    const width = padded ? lo.length : 0;
    for (let n = a; n <= b; n++) out.push(String(n).padStart(width, '0'));
  }
  return out;
}

/** The hosts (fleet indexes, ascending) a pattern selects. */
function matchPattern(
  hosts: readonly SelectableHost[],
  index: ReadonlyMap<string, number>,
  tag: boolean,
  pattern: Pattern,
): number[] {
  if (!tag && !pattern.glob) {
    const i = index.get(pattern.text);
    return i === undefined ? [] : [i];
  }
  const out: number[] = [];
  hosts.forEach((h, i) => {
    const hit = tag
      ? h.tags.some((t) => (pattern.glob ? globMatch(pattern.text, t) : t === pattern.text))
      : globMatch(pattern.text, h.name);
    if (hit) out.push(i);
  });
  return out;
}

/**
 * Whole-string glob match with `*` and `?`, every other character literal. The classic greedy scan
 * that remembers only the last `*`: O(|pattern| × |text|) at worst, no backtracking blow-up, and no
 * RegExp compiled from user input. Works on code points so `?` is one character, not one UTF-16 unit.
 */
export function globMatch(pattern: string, text: string): boolean {
  const p = Array.from(pattern);
  const t = Array.from(text);
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      // Let the last star swallow one more character and retry from just after it.
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

function fleetTags(hosts: readonly SelectableHost[]): string[] {
  const tags = new Set<string>();
  for (const h of hosts) for (const t of h.tags) tags.add(t);
  return [...tags].sort();
}

/** `a, b, c` or, past {@link LIST_LIMIT}, the first ones and "and N more". */
function shortList(names: readonly string[]): string {
  if (names.length === 0) return '(none)';
  if (names.length <= LIST_LIMIT) return names.join(', ');
  return `${names.slice(0, LIST_LIMIT).join(', ')} and ${names.length - LIST_LIMIT} more`;
}
