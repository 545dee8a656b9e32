/** Health checks from the deployer: HTTP GETs and TCP connections to loopback servers this test starts. */
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../src/fleet/fleetFile.js';
import { runHealthChecks } from '../../src/deploy/health.js';
import { openRemoteContext } from '../../src/remote/context.js';

let http: Server;
let port = 0;
let hits = 0;
beforeAll(async () => {
  http = createServer((req, res) => {
    hits++;
    // /flaky answers 503 twice, then 200: retries must see it through.
    if (req.url === '/flaky') res.statusCode = hits % 3 === 0 ? 200 : 503;
    else res.statusCode = req.url === '/ok' ? 200 : req.url === '/teapot' ? 418 : 500;
    res.end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => http.close(resolve)));

const ctx = openRemoteContext();
const hostWith = (healthChecks: unknown) =>
  parseFleetFile(JSON.stringify({ nodes: { web: { targetHost: '127.0.0.1', healthChecks } } })).hosts[0]!;
const quick = { timeout: 2, period: 0, retries: 0 };

describe('health checks', () => {
  it('fills morph-style defaults and builds the URL from the host', () => {
    const h = hostWith({ http: [{ port: 8080, path: '/health' }], tcp: [{ port: 22 }] });
    expect(h.healthChecks).toEqual([
      { kind: 'http', url: 'http://127.0.0.1:8080/health', timeout: 5, period: 2, retries: 5 },
      { kind: 'tcp', host: '127.0.0.1', port: 22, timeout: 5, period: 2, retries: 5 },
    ]);
  });

  it('passes on 2xx or the expected status, and on an open port', async () => {
    const h = hostWith({
      http: [
        { port, path: '/ok', ...quick },
        { port, path: '/teapot', status: 418, ...quick },
      ],
      tcp: [{ port, ...quick }],
    });
    expect(await runHealthChecks(h, ctx)).toEqual({ ok: true, detail: '3 health checks passed' });
  });

  it('fails on another status, a refused connection, and names each failed check', async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const h = hostWith({
      http: [{ port, path: '/broken', ...quick, description: 'the app' }],
      tcp: [{ port: free, ...quick }],
    });
    const r = await runHealthChecks(h, ctx);
    expect(r.ok).toBe(false);
    const error = r.ok ? '' : r.error;
    expect(error).toContain('the app: status 500, expected 2xx');
    expect(error).toContain(`tcp 127.0.0.1:${free}: ECONNREFUSED`);
  });

  it('retries a failing check until it passes', async () => {
    hits = 0;
    const h = hostWith({ http: [{ port, path: '/flaky', timeout: 2, period: 0, retries: 3 }] });
    expect((await runHealthChecks(h, ctx)).ok).toBe(true);
    expect(hits).toBe(3);
  });
});
