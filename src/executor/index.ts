/**
 * The cascade runner on real hosts: the coordinator driven by `nix copy` over SSH, peer to peer. The SSH,
 * process and store plumbing it runs on lives in `src/remote`, the fleet description in `src/fleet`.
 */
export { NixCopyExecutor, type NixCopyExecutorOptions } from './nixCopyExecutor.js';
export {
  runRealCascade,
  coreFleet,
  flatTopology,
  type RealCascadeOptions,
  type RealCascadeResult,
} from './cascade.js';
export { COPY_SETUP_SECONDS, COPY_SETUP_SECONDS_UNMULTIPLEXED, type CopySetupCost } from './costs.js';
