/**
 * The simulator's public surface: what the CLI, the deploy pipeline's predictions and other runtimes may
 * use. Everything else under `src/sim` (network models, the event queue, scenario generation in `synth/`)
 * is internal to the simulator; `scripts/check-layers.mjs` enforces it.
 */
export {
  scenarioSchema,
  parseScenario,
  loadScenarioFile,
  buildScenario,
  runScenario,
  type Scenario,
  type ScenarioSpec,
  type ScenarioInput,
  type RunScenarioOptions,
} from './scenario.js';
export {
  NETWORK_PRESETS,
  COMMON_TOPOLOGY_KEYS,
  MAX_HOSTS,
  type NetworkPreset,
  type NetworkSpec,
  type NetworkSpecInput,
} from './presets.js';
export { type ScenarioSources } from './scenarioFleet.js';
export { storePathRoots, type RealClosureSpec } from './real/roles.js';
export { type CustomTopologySpec } from './customTopology.js';
export {
  perPathSecondsSchema,
  SimExecutor,
  setupSecondsSchema,
  tcpWindowSchema,
  type SetupSeconds,
  type SimExecutorOptions,
} from './executor.js';
export { FailureSchedule, compileFailureSchedule, failureSpecSchema } from './failures.js';
