/**
 * POSIX shell quoting for the one place a shell string cannot be avoided: the command line `ssh` hands
 * to the remote user's shell. Every argument is quoted on its own; nothing is ever interpolated raw.
 */

/** Characters that never need quoting in a POSIX shell word. */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one argument so that a POSIX shell reads it back as exactly that single word.
 * Safe words stay bare (readable logs); everything else is wrapped in single quotes, where the only
 * special character is `'` itself, written as `'\''`.
 *
 * @throws TypeError when the string contains a NUL byte, which no shell word and no argv entry can carry.
 */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new TypeError('cannot quote a string containing a NUL byte');
  if (arg.length > 0 && SAFE.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Quotes each argument and joins them with spaces: a command line a POSIX shell splits back into `args`. */
export function shellJoin(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}
