import type { CommandModule } from 'yargs';
import { registry } from '../../strategies/registry.js';

/** `nix-cascade strategies`: the registered strategies with a one-line description each. */
export const strategiesCommand: CommandModule<object, { json: boolean }> = {
  command: 'strategies',
  describe: 'List the registered strategies',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
  handler: (args) => {
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify(registry.map((s) => ({ name: s.name, description: s.description })))}\n`,
      );
      return;
    }
    const width = Math.max(...registry.map((s) => s.name.length));
    for (const s of registry) process.stdout.write(`${s.name.padEnd(width)}  ${s.description}\n`);
  },
};
