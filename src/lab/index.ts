/** The lab: a multi-host test bed of network and mount namespaces with their own /nix and sshd. */
export { labUp, type LabUpOptions } from './up.js';
export { labDown, labKillHost, findLeftovers, type LabDownOptions, type LabDownReport } from './down.js';
export { labStatus, type LabStatus, type LabHostStatus } from './status.js';
export {
  buildSyntheticClosure,
  planSyntheticClosure,
  type SyntheticClosureOptions,
  type SyntheticClosurePlan,
} from './closure.js';
export {
  readLabState,
  labStateFile,
  type LabState,
  type LabHostRecord,
  type LabPidRecord,
  type LabMountRecord,
} from './state.js';
export { writeLabFlake, labFlakeSpecSchema, LAB_FLAKE_NIX, type LabFlakeSpec } from './flake.js';
