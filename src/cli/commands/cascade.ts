import type { Argv, CommandModule } from 'yargs';
import type { EventSink } from '../../core/events.js';
import type { RunMode } from '../../core/strategy.js';
import { runRealCascade } from '../../executor/cascade.js';
import { openRemoteFromFlags, type RemoteFlags, withRemoteFlags } from '../remoteFlags.js';
import { loadFleetFile } from '../../fleet/fleetFile.js';
import { getStrategy } from '../../strategies/registry.js';
import { JsonlFileSink } from '../../trace/jsonl.js';
import { fanOut } from '../../trace/recorder.js';
import { hashingSink, parseStrategyOptions } from '../scenarioFlags.js';
import { resultJson, resultText } from '../summary.js';

interface CascadeArgs extends RemoteFlags {
  fleet: string;
  strategy: string;
  'strategy-option'?: string[];
  paths: string[];
  mode: string;
  trace?: string;
  json: boolean;
  pull: boolean;
  'substitute-on-destination': boolean;
  'health-check': boolean;
}

/**
 * `nix-cascade cascade`: copies store paths (with their closures) to every host of a real fleet with one
 * strategy, then verifies every host's store and prints the `simulate` summary plus per-host wall times.
 */
export const cascadeCommand: CommandModule<object, CascadeArgs> = {
  command: 'cascade',
  describe:
    'Copy store paths to every host of a real fleet with a strategy (nix copy over ssh, peer to peer)',
  builder: (y) =>
    withRemoteFlags(y)
      .option('fleet', {
        type: 'string',
        demandOption: true,
        describe: 'Fleet file (see docs/fleet-file.md)',
      })
      .option('strategy', {
        type: 'string',
        default: 'log2-fanout',
        describe: 'Strategy name (see `nix-cascade strategies`)',
      })
      .option('strategy-option', {
        type: 'string',
        array: true,
        describe: 'Strategy option key=value (repeatable)',
      })
      .option('paths', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: "Store paths in the deployer's store",
      })
      .option('mode', { type: 'string', choices: ['round', 'eager'], default: 'round' })
      .option('trace', {
        type: 'string',
        describe: 'Write the event trace as JSON Lines (same format as simulate)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print exactly one JSON object' })

      .option('pull', {
        type: 'boolean',
        default: false,
        describe: 'Peer copies: the receiver pulls (ssh B nix copy --from A) instead of the sender pushing',
      })

      .option('substitute-on-destination', {
        type: 'boolean',
        default: false,
        describe: 'Receivers try their own substituters first (nix copy -s)',
      })
      .option('health-check', {
        type: 'boolean',
        default: true,
        describe: 'Probe hosts first and leave unhealthy ones out',
      }) as Argv<CascadeArgs>,
  handler: async (a) => {
    const fleet = loadFleetFile(a.fleet);
    const strategy = getStrategy(a.strategy, parseStrategyOptions(a['strategy-option']));
    const hash = hashingSink();
    const sinks: EventSink[] = [hash.sink];
    const file = a.trace === undefined ? undefined : new JsonlFileSink(a.trace);
    if (file) sinks.push(file.sink);
    // Ctrl-C (or SIGTERM) cancels every running copy (each store stays consistent: nix imports path by path),
    // then the report and trace are written as usual; a second Ctrl-C quits at once. `process.on`, not
    // `once`: execa's exit handler kills the process on a signal it believes nobody else listens to.
    const abort = new AbortController();
    const remote = openRemoteFromFlags(a, abort.signal);
    const onSigint = (): void => {
      if (abort.signal.aborted) {
        file?.flush(); // process.exit skips the finally below: keep the events buffered so far
        process.exit(130);
      }
      abort.abort();
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    let run;
    try {
      run = await runRealCascade({
        fleet,
        strategy,
        paths: a.paths,
        mode: a.mode as RunMode,
        checkSigs: a['check-sigs'],
        pull: a.pull,
        substituteOnDestination: a['substitute-on-destination'],
        healthCheck: a['health-check'],
        onEvent: fanOut(...sinks),
        remote,
      });
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      file?.close();
      await remote.close();
    }
    const { result } = run;
    const sha = hash.digest();
    const perHostSeconds = Object.fromEntries(run.perHostSeconds);
    const verified = Object.fromEntries(run.verified);
    const unhealthy = run.unhealthy.map((r) => ({ host: r.host, reasons: r.reasons }));
    const storeErrors = Object.fromEntries(run.storeErrors);
    if (a.json) {
      process.stdout.write(
        `${JSON.stringify(resultJson(result, sha, { perHostSeconds, verified, unhealthy, storeErrors }))}\n`,
      );
    } else {
      let text = resultText(result, sha);
      for (const [h, s] of run.perHostSeconds) text += `host done       ${h} at ${s.toFixed(2)} s\n`;
      for (const u of unhealthy) text += `left out        ${u.host}: ${u.reasons.join('; ')}\n`;
      const oneLine = (s: string): string => s.replace(/\n/g, ' | ');
      for (const [h, e] of run.storeErrors) {
        if (e.when === 'before')
          text += `store not read  ${h} (planned as holding nothing): ${oneLine(e.error)}\n`;
      }
      for (const [h, ok] of run.verified) {
        if (ok) continue;
        const e = run.storeErrors.get(h);
        text +=
          e?.when === 'after'
            ? `NOT VERIFIED    ${h}: its store could not be asked: ${oneLine(e.error)}\n`
            : `NOT VERIFIED    ${h} lacks paths after the run\n`;
      }
      if (result.reason === 'cancelled')
        text +=
          'cancelled       stores not verified; run again to finish (nothing delivered is sent twice)\n';
      process.stdout.write(text);
    }
    if (!result.success || [...run.verified.values()].some((ok) => !ok) || run.unhealthy.length > 0)
      process.exitCode = 1;
  },
};
