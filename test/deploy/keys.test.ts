/** Reading a key's content on the deployer: the source's own bytes, and errors that name the key, never its content. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeploymentKey, KeySource } from '../../src/fleet/keys.js';
import { keyContent } from '../../src/deploy/keys.js';
import { openRemoteContext } from '../../src/remote/context.js';

const dir = mkdtempSync(join(tmpdir(), 'nix-cascade-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ctx = openRemoteContext();
const key = (source: KeySource): DeploymentKey => ({
  name: 'k',
  source,
  destDir: '/run/keys',
  user: 'root',
  group: 'root',
  permissions: '0600',
  uploadAt: 'pre-activation',
});
const text = (r: Awaited<ReturnType<typeof keyContent>>): string =>
  r.ok ? Buffer.from(r.content).toString('utf8') : `error: ${r.error}`;

describe('keyContent', () => {
  it('text, a file and a command give their exact bytes', async () => {
    const file = join(dir, 'secret');
    writeFileSync(file, 'file-secret\n\u0000binary');
    expect(text(await keyContent(key({ kind: 'text', text: 'text-secret' }), ctx))).toBe('text-secret');
    expect(text(await keyContent(key({ kind: 'file', path: file }), ctx))).toBe('file-secret\n\u0000binary');
    expect(
      text(await keyContent(key({ kind: 'command', argv: ['sh', '-c', 'printf "cmd-%s" $((6*7))'] }), ctx)),
    ).toBe('cmd-42');
  });

  it('a missing file and a failing command fail with what failed, not with any output', async () => {
    const missing = await keyContent(key({ kind: 'file', path: join(dir, 'nope') }), ctx);
    expect(missing.ok).toBe(false);
    expect(text(missing)).toContain('ENOENT');
    const failing = await keyContent(
      key({ kind: 'command', argv: ['sh', '-c', 'printf "leaked-%s" $((6*7)); echo oops >&2; exit 3'] }),
      ctx,
    );
    expect(failing.ok).toBe(false);
    expect(text(failing)).toContain('exit 3');
    expect(text(failing)).toContain('oops');
    expect(text(failing)).not.toContain('leaked-42');
    const absent = await keyContent(key({ kind: 'command', argv: ['/nonexistent/pass'] }), ctx);
    expect(absent.ok).toBe(false);
  });
});
