/**
 * `nix-cascade calibrate`: measures a real fleet (round trips, the fixed cost of a copy, the cost per
 * store path, each host's links and import rate), writes them as scenarios, and checks the simulator's
 * predictions against real runs of each strategy.
 */
export { calibrate, type CalibrateOptions, type CalibrationResult } from './calibrate.js';
export {
  measureFleet,
  deletePaths,
  type FleetMeasurement,
  type HostMeasurement,
  type MeasureOptions,
  type SetupCost,
} from './measure.js';
export {
  calibratedModel,
  fleetScenario,
  reusableScenario,
  closureFileJson,
  withScenarioRates,
  type CalibratedModel,
} from './scenario.js';
export { validateRun, runLabel, type StrategyRun, type ValidationRun } from './validate.js';
export { spearman, ranks, predictionError, sameOrder } from './accuracy.js';
export { median } from './probes.js';
