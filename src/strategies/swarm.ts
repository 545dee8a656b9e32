import type { Strategy } from '../core/strategy.js';
import { checkKeys, intOption, notBoth, optionalNumberOption, type RawOptions } from './_internals/options.js';
import { SwarmPlan } from './_internals/swarm-plan.js';
import { SwarmRun } from './_internals/swarm-run.js';

/** Options of `swarm`. */
export interface SwarmOptions {
  /**
   * Pieces the largest want set is cut into: small store paths are bundled into one transfer of up to
   * (largest want set's bytes ÷ pieces), so a receiver gets about `pieces` transfers (plus one per store
   * path larger than that, which always goes alone) and the fixed cost of starting a copy (ssh, `nix copy`)
   * is paid per piece, not per tiny path. Not together with `chunkBytes`.
   * @defaultValue 16
   */
  readonly pieces: number;
  /** Explicit byte cap per bundled transfer (a single larger store path still goes alone). */
  readonly chunkBytes?: number;
  /**
   * Free holders compared per path when choosing a sender; bounds one plan call at 10,000 hosts.
   * @defaultValue 64
   */
  readonly window: number;
}

/** Default of {@link SwarmOptions.pieces}. */
export const SWARM_DEFAULT_PIECES = 16;
/** Default of {@link SwarmOptions.window}. */
export const SWARM_DEFAULT_WINDOW = 64;

/**
 * `swarm`: store-path level, eager mode's natural strategy — BitTorrent with Nix store paths as pieces.
 *
 * - Pipelining through the reference DAG: every host uploads the paths it holds as soon as it holds them,
 *   long before it holds its whole want set.
 * - Piece choice (rarest first, weighted by size): paths are served in order of remaining spread time,
 *   bytes × log₂(1 + wanters still missing the path ÷ (holders + copies in flight)), bytes being the path's
 *   own plus, in eager mode, the longest chain of paths that reference it (they follow it one after
 *   another), so a large path held by few (the kernel, firmware) starts doubling at once instead of becoming
 *   the tail, and the deployer stops sending a path once peers hold it. The one exception: in eager mode,
 *   when no path is private (one host's own), the deployer seeds the largest path twice, since its doubling
 *   sets the cascade's length and a second lineage gives it a step of slack.
 *   Ranking is a lazy max-heap: a proposal re-ranks only its own paths.
 * - Matching: for the most urgent path, the open receiver with the fastest uplink (then the most receive
 *   time left) that can take it, so the hosts that forward fastest become holders first — on heavy-tailed
 *   fleets this turns the big uplinks into sources early instead of feeding them last from slow peers
 *   (in eager mode without private paths or groups only down to the median uplink; below it, most receive
 *   time left first) — from its free holder with the fewest failed attempts on that edge, fastest uplink first. A holder
 *   takes a further concurrent send only while uplink ÷ (sends + 1) still covers the slowest open
 *   receiver; in round mode, which waits for its longest transfer, also only while it covers this
 *   receiver's rate. In eager mode a receiver turns away a sender whose uplink is below half the rate it
 *   needs to keep pace with the receiver that has the most receiving left (as the deployer could serve
 *   it), so slow senders do not hold the one receive slot of the hosts on the critical path.
 * - Bundling: the path's missing references travel with it when nothing else is coming to the receiver;
 *   the transfer is topped up, most urgent first, with more paths the receiver can take, up to the chunk
 *   size (`chunkBytes`, or the largest want set ÷ `pieces`). In round mode a transfer is filled up to the
 *   batch's longest transfer (at its own rate), since the round waits for that one anyway.
 * Never sends a path the receiver does not want; parallel transfers to one receiver carry disjoint paths;
 * deterministic (fleet order and topological order break every tie).
 * @throws ConfigError naming `swarm.<option>` for an unknown option, `pieces`/`window` not an integer ≥ 1,
 *   `chunkBytes` not a number ≥ 1, or both `pieces` and `chunkBytes`.
 */
export function swarm(options?: RawOptions): Strategy {
  const o = checkKeys('swarm', options, ['pieces', 'chunkBytes', 'window']);
  notBoth('swarm', o, 'pieces', 'chunkBytes');
  const pieces = intOption('swarm', o, 'pieces', SWARM_DEFAULT_PIECES, 1);
  const window = intOption('swarm', o, 'window', SWARM_DEFAULT_WINDOW, 1);
  const chunkBytes = optionalNumberOption('swarm', o, 'chunkBytes', 1);
  let run: SwarmRun | undefined;
  return {
    name: 'swarm',
    plan(view) {
      if (run?.fleet !== view.fleet) run = new SwarmRun(view.fleet, view, chunkBytes, pieces);
      return new SwarmPlan(view, run, window).plan();
    },
  };
}
