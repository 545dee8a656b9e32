/**
 * What the CLI does to argv before yargs sees it, and the hints it adds to yargs' own messages, so that a
 * new user's mistakes get an answer about what they typed.
 */

/** A value that starts with a minus and a digit: a negative number, with or without a unit. */
const NEGATIVE = /^-\.?\d/;

/**
 * Joins `--flag -1gbit` into `--flag=-1gbit`. yargs reads `-1gbit` as the short flags `-1 -g -b -i -t`
 * ("Unknown arguments: 1, g, b, i, t"); joined, the value reaches its validator, which says what is
 * wrong with it. Plain negative numbers (`--hosts -5`) are joined too, which yargs reads the same way.
 */
export function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (/^--[^=]+$/.test(a) && next !== undefined && NEGATIVE.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/** Flags users reach for that a command spells differently: unknown name → what to use instead. */
const UNKNOWN_FLAG_HINTS: ReadonlyMap<string, string> = new Map([
  ['strategy', 'compare takes a list: --strategies a,b (simulate and cascade take one --strategy)'],
  ['strategies', 'simulate and cascade run one strategy: --strategy NAME (compare takes --strategies)'],
  ['scenarios', 'only compare takes several scenarios; here give one --scenario FILE'],
  ['size', 'sizes are given in MB: --closure-mb (simulate, compare) or --size-mb (lab closure)'],
  ['version', 'nix-cascade --version (before any command)'],
]);

/**
 * yargs' message with a hint appended: for an unknown flag that has a known better spelling, and for
 * every unknown flag a pointer to the command's `--help`.
 */
export function withHint(message: string): string {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (m === null) return message;
  const names = m[1]!.split(', ');
  const hints = names.flatMap((n) => {
    const h = UNKNOWN_FLAG_HINTS.get(n);
    return h === undefined ? [] : [`--${n}: ${h}`];
  });
  return [message, ...hints, 'See the command with --help for its flags.'].join('\n  ');
}
