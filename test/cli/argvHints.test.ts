import { describe, expect, it } from 'vitest';
import { joinNegativeValues, withHint } from '../../src/cli/argvHints.js';

describe('joinNegativeValues', () => {
  it('joins a flag and a negative value so the value reaches its validator', () => {
    expect(joinNegativeValues(['simulate', '--uplink', '-1gbit', '--json'])).toEqual([
      'simulate',
      '--uplink=-1gbit',
      '--json',
    ]);
    expect(joinNegativeValues(['--hosts', '-5'])).toEqual(['--hosts=-5']);
    expect(joinNegativeValues(['--x', '-.5'])).toEqual(['--x=-.5']);
  });

  it('leaves flags, joined values and everything after -- alone', () => {
    const argv = ['--json', '-h', '--uplink=-1', '--a', '-b', '--', '--c', '-1'];
    expect(joinNegativeValues(argv)).toEqual(argv);
  });
});

describe('withHint', () => {
  it('points from --strategy to --strategies, and to --help for any unknown flag', () => {
    const m = withHint('Unknown argument: strategy');
    expect(m).toContain('--strategies');
    expect(m).toContain('--help');
    expect(withHint('Unknown arguments: foo, bar')).toContain('--help');
    expect(withHint('Missing required argument: fleet')).toBe('Missing required argument: fleet');
  });
});
