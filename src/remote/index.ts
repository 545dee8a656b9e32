/**
 * Remote plumbing, shared by the cascade runner and the deploy pipeline: processes started from argument
 * arrays (`process`), SSH targets and options (`ssh`, `quote`, `validate`), connection multiplexing
 * (`mux`), the commands themselves (`commands`), failure classification (`classify`), per-process Nix
 * settings (`nixEnv`), store queries (`store`, `pathInfo`) and health probes (`health`), all taking one
 * {@link RemoteContext} per run.
 */
export { runCommand, mapLimit, type CommandSpec, type RunResult, type RunCommandOptions } from './process.js';
export { discoverHave, closureInfo, queryValidity, type HaveDiscovery } from './store.js';
export { checkHealth, checkHost, type HealthOptions, type HealthReport } from './health.js';
export { shellQuote, shellJoin } from './quote.js';
export { onHost } from './onHost.js';
export { classifyFailure } from './classify.js';
export { OFFLINE_NIX_CONFIG, nixConfText } from './nixEnv.js';
export { SshMux, MUX_PERSIST_SECONDS, type SshMuxOptions } from './mux.js';
export type { SshTarget } from './ssh.js';
