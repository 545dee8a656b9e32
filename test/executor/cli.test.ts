import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT_BAD_INPUT, main } from '../../src/cli/main.js';

/*
 * The real-executor commands are wired into the CLI and turn bad input into exit code 2 before any
 * process or network is touched (no lab needed).
 */

const dir = mkdtempSync(join(tmpdir(), 'nix-cascade-executor-cli-'));
const P = '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello';

function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const code = await main(argv);
  return { code, stderr };
}

describe('cascade / health / lab CLI input checks', () => {
  it('a missing fleet file is bad input naming the file', async () => {
    const missing = join(dir, 'nope.json');
    const r = await run(['cascade', '--fleet', missing, '--paths', P]);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.stderr).toContain(missing);
  });

  it('a malformed fleet file is bad input naming the field', async () => {
    const f = file('bad-port.json', JSON.stringify({ nodes: { web: { targetHost: 'web', targetPort: 70000 } } }));
    const r = await run(['health', '--fleet', f]);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.stderr).toContain('nodes.web.targetPort');
  });

  it('a host address carrying shell syntax is refused', async () => {
    const f = file('bad-host.json', JSON.stringify({ nodes: { web: { targetHost: 'web;rm -rf /' } } }));
    const r = await run(['cascade', '--fleet', f, '--paths', P]);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.stderr).toContain('targetHost');
  });

  it('an unknown strategy and a malformed store path are bad input', async () => {
    const f = file('ok.json', JSON.stringify({ nodes: { web: { targetHost: '10.0.0.1' } } }));
    expect((await run(['cascade', '--fleet', f, '--paths', P, '--strategy', 'no-such-strategy'])).code).toBe(EXIT_BAD_INPUT);
    expect((await run(['cascade', '--fleet', f, '--paths', '/tmp/not-a-store-path'])).code).toBe(EXIT_BAD_INPUT);
    expect((await run(['cascade', '--fleet', f, '--paths', P, '--timeout', '0'])).code).toBe(EXIT_BAD_INPUT);
  });

  it('lab options are validated before anything is created', async () => {
    expect((await run(['lab', 'up', '--hosts', '0', '--dir', join(dir, 'lab')])).code).toBe(EXIT_BAD_INPUT);
    expect((await run(['lab', 'up', '--hosts', '2', '--uplink', 'fast', '--dir', join(dir, 'lab')])).code).toBe(EXIT_BAD_INPUT);
    expect((await run(['lab', 'closure', '--size-mb', '-1'])).code).toBe(EXIT_BAD_INPUT);
  });

  it('lab status and lab down on a directory without a lab say so and succeed', async () => {
    expect((await run(['lab', 'status', '--dir', join(dir, 'empty')])).code).toBe(0);
    expect((await run(['lab', 'down', '--dir', join(dir, 'empty')])).code).toBe(0);
  });
});
