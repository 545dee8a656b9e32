// Which entry bin/nix-cascade.js runs: the compiled CLI or the TypeScript sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

/** The newest modification time of a file under `dir` (0 for an empty tree). */
function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The compiled CLI under `root` (`dist/cli/main.js`, written by `npm run build`) when it is newer than
 * every file under `root/src`, else undefined: an edit since the last build, a checkout of another
 * commit, or a build that failed (`noEmitOnError` leaves the old files) all fall back to the sources.
 * `NIX_CASCADE_FROM_SOURCE=1` in `env` always chooses the sources.
 */
export function freshBuild(root, env = process.env) {
  if (env.NIX_CASCADE_FROM_SOURCE === '1') return undefined;
  const built = join(root, 'dist', 'cli', 'main.js');
  return existsSync(built) && statSync(built).mtimeMs > newestMtime(join(root, 'src')) ? built : undefined;
}
