/**
 * The host facts assumed when a scenario or a fleet file does not state them, written once for the
 * simulator's presets and the real fleet alike, so a prediction and the run it predicts start from the
 * same numbers.
 */
export const HOST_DEFAULTS = {
  /** Up- and downlink of every host: 1 Gbit/s in bytes per second. */
  rate: 125e6,
  /** A target copies one `nix copy` out and one in at a time. */
  target: { maxSends: 1, maxReceives: 1 },
  /** The deployer and a cache serve many at once (push-parallel needs k copies in flight). */
  server: { maxSends: 64, maxReceives: 1 },
} as const;
