/** The real executor: `nix copy` over SSH, peer to peer; health checks; fleet files; the lab. */
export { NixCopyExecutor, type NixCopyExecutorOptions } from './nixCopyExecutor.js';
export { discoverHave, closureInfo, type HaveDiscovery, type StoreQueryOptions } from './discover.js';
export { checkHealth, checkHost, type HealthOptions, type HealthReport } from './health.js';
export { loadFleetFile, parseFleetFile } from './fleetFile.js';
export type { RealFleet, RealHost, RealDeployer } from './realFleet.js';
export { runRealCascade, coreFleet, flatTopology, REAL_FLEET_DEFAULTS, type RealCascadeOptions, type RealCascadeResult } from './cascade.js';
export { shellQuote, shellJoin } from './quote.js';
export { classifyFailure } from './classify.js';
export { OFFLINE_NIX_CONFIG, nixConfText } from './nixEnv.js';
export { SshMux, MUX_PERSIST_SECONDS, type SshMuxOptions } from './mux.js';
export { COPY_SETUP_SECONDS, COPY_SETUP_SECONDS_UNMULTIPLEXED, type CopySetupCost } from './costs.js';
