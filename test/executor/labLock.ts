import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const LOCK = '/tmp/nix-cascade-lab-tests.lock';

function holderAlive(): boolean {
  try {
    const pid = Number(readFileSync(`${LOCK}/pid`, 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Serialises lab tests across vitest workers (they share the machine's namespaces and /nix): an atomic
 * mkdir lock holding the owner's pid; a lock whose owner died is taken over.
 */
export async function acquireLabLock(timeoutMs = 600_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(`${LOCK}/pid`, String(process.pid));
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A holder that has not written its pid yet is given a moment; a dead one loses the lock.
      await new Promise((r) => setTimeout(r, 250));
      if (!holderAlive()) {
        await new Promise((r) => setTimeout(r, 250));
        if (!holderAlive()) rmSync(LOCK, { recursive: true, force: true });
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK}`, { cause: e });
    }
  }
}

/** What a lab test needs on the machine (checked by `requireLabCapabilities`, which fails naming what is missing). */
export const LAB_TOOLS = [
  'ip',
  'tc',
  'unshare',
  'sshd',
  'ssh',
  'ssh-keygen',
  'nix',
  'nix-build',
  'nix-daemon',
];
