import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CascadeError, ConfigError } from '../core/errors.js';
import { joinNegativeValues, withHint } from './argvHints.js';
import { commandsFor } from './commands/index.js';

/** Exit codes: 0 ok, 1 the run itself failed (hosts failed/unreached), 2 bad input. */
export const EXIT_BAD_INPUT = 2;

/** The package's version, as `--version` prints it. */
export const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const UNITS_NOTE =
  'Units: sizes in MB are 10^6 bytes (--closure-mb, --size-mb); sizes and rates with a unit take SI (kB, MB, GB), ' +
  'IEC (KiB, MiB, GiB) and bits (mbit, gbit; 100mbps = 100 megabit/s); output is SI (1.5GB, 12.5MB/s).';

/**
 * Runs the nix-cascade CLI on `argv` (without the node/script prefix) and resolves with the exit code.
 * Bad input (unknown strategy, bad flag value, malformed file) prints what is wrong and exits 2.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const args = joinNegativeValues(argv);
  const cli = yargs(args)
    .scriptName('nix-cascade')
    .usage('$0 <command> [options]\n\nGet Nix closures onto a fleet as fast as the network allows.')
    .strict()
    .demandCommand(1, 'Name a command (see --help).')
    .recommendCommands()
    // --help, --version and completion print and return: main() resolves with 0 (tests run it in-process).
    .exitProcess(false)
    .help()
    .alias('h', 'help')
    .version(VERSION)
    .alias('V', 'version')
    .completion('completion', 'Print a bash/zsh completion script (source it from your shell rc)')
    .epilogue(UNITS_NOTE)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      throw err ?? new ConfigError(withHint(msg));
    });
  for (const c of await commandsFor(args)) cli.command(c);
  try {
    await cli.parseAsync();
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`nix-cascade: ${err.message}\n`);
      return EXIT_BAD_INPUT;
    }
    if (err instanceof CascadeError) {
      process.stderr.write(`nix-cascade: ${err.name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

const isEntry =
  import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/bin/nix-cascade.js');
if (isEntry) {
  // A reader that stops early (`nix-cascade strategies | head -1`) closes the pipe: stop quietly, as
  // Unix tools do, instead of dying on an unhandled EPIPE with a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
  main(hideBin(process.argv)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `nix-cascade: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 70;
    },
  );
}
