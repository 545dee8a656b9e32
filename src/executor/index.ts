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
