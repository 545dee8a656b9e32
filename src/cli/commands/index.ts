import type { CommandModule } from 'yargs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs command modules differ in their argument types
type AnyCommand = CommandModule<object, any>;

/** A command's names and how to load its module (a command's module brings its whole implementation). */
interface CommandEntry {
  readonly names: readonly string[];
  readonly load: () => Promise<readonly AnyCommand[]>;
}

/** Every CLI command, in help order. */
const ENTRIES: readonly CommandEntry[] = [
  { names: ['simulate'], load: async () => [(await import('./simulate.js')).simulateCommand] },
  { names: ['compare'], load: async () => [(await import('./compare.js')).compareCommand] },
  { names: ['strategies'], load: async () => [(await import('./strategies.js')).strategiesCommand] },
  { names: ['trace'], load: async () => [(await import('./trace.js')).traceCommand] },
  { names: ['viz'], load: async () => [(await import('./viz.js')).vizCommand] },
  { names: ['cascade'], load: async () => [(await import('./cascade.js')).cascadeCommand] },
  { names: ['calibrate'], load: async () => [(await import('./calibrate.js')).calibrateCommand] },
  {
    names: ['deploy', 'plan'],
    load: async () => {
      const m = await import('./deploy.js');
      return [m.deployCommand, m.planCommand];
    },
  },
  { names: ['rollback'], load: async () => [(await import('./rollback.js')).rollbackCommand] },
  { names: ['health'], load: async () => [(await import('./health.js')).healthCommand] },
  { names: ['lab'], load: async () => [(await import('./lab.js')).labCommand] },
];

/**
 * The command modules `argv` needs: only the named command's when its first word names one, so a run
 * does not load every other command's implementation (the deploy pipeline, ssh and process handling,
 * the charts); every command for anything else (help, completion, a misspelt command to suggest for).
 */
export async function commandsFor(argv: readonly string[]): Promise<AnyCommand[]> {
  const first = argv.find((a) => !a.startsWith('-'));
  const named = ENTRIES.find((e) => first !== undefined && e.names.includes(first));
  const entries = named === undefined ? ENTRIES : [named];
  return (await Promise.all(entries.map((e) => e.load()))).flat();
}
