import type { CommandModule } from 'yargs';
import { calibrateCommand } from './calibrate.js';
import { cascadeCommand } from './cascade.js';
import { compareCommand } from './compare.js';
import { deployCommand, planCommand } from './deploy.js';
import { healthCommand } from './health.js';
import { labCommand } from './lab.js';
import { rollbackCommand } from './rollback.js';
import { simulateCommand } from './simulate.js';
import { strategiesCommand } from './strategies.js';
import { traceCommand } from './trace.js';
import { vizCommand } from './viz.js';

/** Every CLI command, in help order. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs command modules differ in their argument types
export const commands: ReadonlyArray<CommandModule<object, any>> = [
  simulateCommand,
  compareCommand,
  strategiesCommand,
  traceCommand,
  vizCommand,
  cascadeCommand,
  calibrateCommand,
  deployCommand,
  planCommand,
  rollbackCommand,
  healthCommand,
  labCommand,
];
