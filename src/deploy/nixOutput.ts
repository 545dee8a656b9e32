import { tailLines } from '../remote/classify.js';

/**
 * Nix's own error lines out of a failed `nix` process's stderr, for the deploy report: what Nix said went
 * wrong (`error: builder for '…' failed`, the builder's last log lines, an evaluation error), without the
 * noise around it (warnings, progress lines, its `--show-trace` hint, GC-root housekeeping).
 */
const NOISE = [
  /^warning: /,
  /use '--show-trace'/,
  /^building '/,
  /^these \d+ derivations? will be built/,
  /^these \d+ paths? will be fetched/,
  /^copying path '/,
  /^removing stale (link|temporary roots)/,
  /^\s+\/nix\/store\/\S+\.drv$/,
];

/** The last `n` lines of `stderr` that carry Nix's message, or `fallback` when there are none. */
export function nixErrorLines(stderr: string, fallback: string, n = 12): string {
  const kept = stderr.split(/\r?\n/).filter((l) => !NOISE.some((re) => re.test(l)));
  return tailLines(kept.join('\n'), n) || fallback;
}
