import fc from 'fast-check';

// Property tests replay: the seed comes from FC_SEED (CI sets one); a failure prints the seed and path.
const seed = process.env['FC_SEED'];
if (process.env['CI'] && seed === undefined) {
  throw new Error('FC_SEED must be set in CI so property-test failures replay');
}
fc.configureGlobal({
  ...(seed !== undefined ? { seed: Number(seed) } : {}),
  numRuns: Number(process.env['FC_NUM_RUNS'] ?? 50),
});
