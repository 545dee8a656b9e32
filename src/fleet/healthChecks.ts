import { z } from 'zod';

/**
 * Per-host health checks, with morph's names (`deployment.healthChecks = { cmd = [ … ]; http = [ … ]; }`)
 * plus `tcp`: run after the activation; a host is healthy when every check passes. Each check is tried
 * up to `1 + retries` times, each attempt bounded by `timeout` seconds, `period` seconds apart.
 */

const timing = {
  description: z.string().optional(),
  /** Seconds one attempt may take. */
  timeout: z.number().positive().default(5),
  /** Seconds between attempts. */
  period: z.number().nonnegative().default(2),
  /** Attempts after the first. */
  retries: z.int().min(0).max(1000).default(5),
};

const port = z.int().min(1).max(65535);

/** One check as a fleet file (or `nix/eval.nix`) states it. */
export const healthChecksSchema = z.strictObject({
  /** argv run on the host over ssh; exit 0 is healthy. */
  cmd: z.array(z.strictObject({ cmd: z.array(z.string().min(1)).min(1), ...timing })).default([]),
  /** A GET from the deployer; healthy when the status is `status` (default: any 2xx). */
  http: z
    .array(
      z.strictObject({
        scheme: z.enum(['http', 'https']).default('http'),
        /** Default: the host's targetHost. */
        host: z.string().min(1).optional(),
        port: port.optional(),
        path: z.string().startsWith('/').default('/'),
        status: z.int().min(100).max(599).optional(),
        ...timing,
      }),
    )
    .default([]),
  /** A TCP connection from the deployer; healthy when it is accepted. */
  tcp: z.array(z.strictObject({ host: z.string().min(1).optional(), port, ...timing })).default([]),
});

type Timing = {
  readonly description?: string;
  readonly timeout: number;
  readonly period: number;
  readonly retries: number;
};

/** One check of a host, resolved. */
export type HealthCheck =
  | ({ readonly kind: 'cmd'; readonly argv: readonly string[] } & Timing)
  | ({ readonly kind: 'http'; readonly url: string; readonly status?: number } & Timing)
  | ({ readonly kind: 'tcp'; readonly host: string; readonly port: number } & Timing);

/** A host's checks, in the order cmd, http, tcp; `address` fills in a missing host. */
export function healthChecksOf(
  raw: z.infer<typeof healthChecksSchema> | undefined,
  address: string,
): HealthCheck[] {
  if (raw === undefined) return [];
  const t = (c: {
    description?: string | undefined;
    timeout: number;
    period: number;
    retries: number;
  }): Timing => ({
    ...(c.description !== undefined ? { description: c.description } : {}),
    timeout: c.timeout,
    period: c.period,
    retries: c.retries,
  });
  // An IPv6 literal needs brackets in a URL.
  const inUrl = (h: string): string => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
  return [
    ...raw.cmd.map((c): HealthCheck => ({ kind: 'cmd', argv: c.cmd, ...t(c) })),
    ...raw.http.map((c): HealthCheck => ({
      kind: 'http',
      url: `${c.scheme}://${inUrl(c.host ?? address)}${c.port !== undefined ? `:${c.port}` : ''}${c.path}`,
      ...(c.status !== undefined ? { status: c.status } : {}),
      ...t(c),
    })),
    ...raw.tcp.map((c): HealthCheck => ({ kind: 'tcp', host: c.host ?? address, port: c.port, ...t(c) })),
  ];
}
