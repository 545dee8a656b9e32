import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'node:net';
import type { HealthCheck } from '../fleet/healthChecks.js';
import type { RealHost } from '../fleet/realFleet.js';
import type { RemoteContext } from '../remote/context.js';
import { tailLines } from '../remote/classify.js';
import { runCommand } from '../remote/process.js';
import { onHost } from '../remote/onHost.js';

/**
 * Health checks after an activation (morph's idea): commands over ssh, HTTP GETs and TCP connections from
 * the deployer, each retried until it passes or its attempts run out. All of a host's checks run at once.
 */

/** What one attempt said: passed, or why not. */
type Attempt = { ok: true } | { ok: false; why: string };

/** A check's name in reports: its description, or what it does. */
export function checkName(c: HealthCheck): string {
  if (c.description !== undefined) return c.description;
  if (c.kind === 'cmd') return `cmd ${c.argv.join(' ')}`;
  if (c.kind === 'http') return `GET ${c.url}`;
  return `tcp ${c.host}:${c.port}`;
}

async function attemptCmd(
  host: RealHost,
  argv: readonly string[],
  seconds: number,
  ctx: RemoteContext,
): Promise<Attempt> {
  const end = await runCommand(onHost(host, ctx, argv), ctx.run(seconds));
  if (end.ok) return { ok: true };
  const how = end.timedOut ? `timed out after ${seconds} s` : `exit ${end.exitCode ?? '?'}`;
  const lines = tailLines(end.stderr, 3);
  return { ok: false, why: lines ? `${how}: ${lines}` : how };
}

async function attemptHttp(
  url: string,
  status: number | undefined,
  seconds: number,
  signal?: AbortSignal,
): Promise<Attempt> {
  const timeout = AbortSignal.timeout(seconds * 1000);
  try {
    const r = await fetch(url, {
      redirect: 'manual',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    await r.body?.cancel();
    const good = status === undefined ? r.status >= 200 && r.status < 300 : r.status === status;
    return good ? { ok: true } : { ok: false, why: `status ${r.status}, expected ${status ?? '2xx'}` };
  } catch (e) {
    if (timeout.aborted) return { ok: false, why: `no answer in ${seconds} s` };
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, why: cause?.code ?? cause?.message ?? (e as Error).message };
  }
}

function attemptTcp(host: string, port: number, seconds: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: seconds * 1000 });
    const end = (a: Attempt): void => {
      socket.destroy();
      resolve(a);
    };
    socket.once('connect', () => end({ ok: true }));
    socket.once('timeout', () => end({ ok: false, why: `no connection in ${seconds} s` }));
    socket.once('error', (e: NodeJS.ErrnoException) => end({ ok: false, why: e.code ?? e.message }));
  });
}

function attempt(host: RealHost, c: HealthCheck, ctx: RemoteContext): Promise<Attempt> {
  if (c.kind === 'cmd') return attemptCmd(host, c.argv, c.timeout, ctx);
  if (c.kind === 'http') return attemptHttp(c.url, c.status, c.timeout, ctx.signal);
  return attemptTcp(c.host, c.port, c.timeout);
}

/** Runs one check until it passes or its attempts are spent. @returns undefined, or why it failed. */
async function runCheck(host: RealHost, c: HealthCheck, ctx: RemoteContext): Promise<string | undefined> {
  let last = '';
  for (let i = 0; i <= c.retries; i++) {
    if (ctx.signal?.aborted) return `${checkName(c)}: cancelled`;
    const a = await attempt(host, c, ctx);
    if (a.ok) return undefined;
    last = a.why;
    if (i < c.retries) await sleep(c.period * 1000);
  }
  return `${checkName(c)}: ${last} (${c.retries + 1} attempt${c.retries === 0 ? '' : 's'})`;
}

/**
 * Runs every check of the host at once.
 * @returns a summary when all passed, or every failed check with its last reason.
 */
export async function runHealthChecks(
  host: RealHost,
  ctx: RemoteContext,
): Promise<{ ok: true; detail: string } | { ok: false; error: string }> {
  const failed = (await Promise.all(host.healthChecks.map((c) => runCheck(host, c, ctx)))).filter(
    (f): f is string => f !== undefined,
  );
  if (failed.length > 0) return { ok: false, error: `health check failed: ${failed.join('; ')}` };
  const n = host.healthChecks.length;
  return { ok: true, detail: `${n} health check${n === 1 ? '' : 's'} passed` };
}
