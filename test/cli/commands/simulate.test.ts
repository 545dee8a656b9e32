import { describe, expect, it } from 'vitest';
import { cli } from '../../helpers/cli.js';

describe('simulate --progress', () => {
  it('reports hosts done on stderr, ending with all of them; stdout stays one JSON object', async () => {
    const r = await cli('simulate', '--hosts', '40', '--closure-mb', '10', '--progress', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^simulate: 40\/40 hosts done$/m);
    expect(r.err.split('\n').filter((l) => l.startsWith('simulate:')).length).toBeGreaterThan(1);
    expect((JSON.parse(r.out) as { hostsDone: number }).hostsDone).toBe(40);
  });

  it('counts only the hosts not done at the start, and is silent off a terminal by default', async () => {
    const r = await cli(
      'simulate',
      '--hosts',
      '40',
      '--closure-mb',
      '10',
      '--seed-fraction',
      '0.5',
      '--progress',
    );
    expect(r.err).toMatch(/^simulate: 20\/20 hosts done$/m);
    expect((await cli('simulate', '--hosts', '40', '--closure-mb', '10')).err).not.toMatch(/hosts done/);
  });
});
