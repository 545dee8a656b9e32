import type { HostId } from '../core/types.js';
import type { RealCascadeResult } from '../executor/cascade.js';
import { formatBytes, formatDuration } from '../units/units.js';
import type { DeployAction } from './actions.js';
import type { CopyDetail } from './copy.js';
import type { DagReport, HostResult, StageStatus } from './dagTypes.js';

/**
 * The deploy report: every selected host, whatever stage it stopped at (evaluation failures included),
 * with its stages' durations, its outcome, the bytes it received and the error with its cause. Printed as
 * a table at the end and written as JSON (`--report FILE`).
 */

/** How a host's deploy ended. */
export type DeployOutcome =
  | 'activated'
  /** `nix-cascade rollback`: back on the previous generation. */
  | 'rolled-back'
  | 'built'
  | 'pushed'
  /** `deploy keys`: the keys were uploaded. */
  | 'keys-uploaded'
  | 'unchanged'
  | 'failed'
  /** Not attempted to the end: the run was cancelled, or `--fail-fast` stopped it. */
  | 'skipped';

/** One stage of one host. */
export interface DeployStageRecord {
  readonly stage: string;
  readonly status: StageStatus;
  readonly seconds?: number;
  readonly detail?: string;
}

/** One host of the report. */
export interface DeployHostReport {
  readonly host: HostId;
  readonly outcome: DeployOutcome;
  /** For `failed` (and `skipped`): the stage it stopped at. */
  readonly stage?: string;
  /** The error with its cause: Nix's, ssh's or the activation script's last lines. */
  readonly error?: string;
  /** For `skipped`: why, when it was left out on purpose (`rollout stopped`). */
  readonly reason?: string;
  /** When the activation failed or was not confirmed: what the watchdog did (`rolled back (…)`). */
  readonly rollback?: string;
  /**
   * For `switch`, `boot` and `test`: what the host runs at the end, as far as the run saw: `new`
   * (activated, or already running it; `boot`: rebooted into it), `old` (never activated, rolled back,
   * or `boot` without a reboot), `unknown` (an activation that was interrupted or failed without a
   * rollback: it may have gone either way).
   */
  readonly system?: 'new' | 'old' | 'unknown';
  /** The system it was given (after eval). */
  readonly toplevel?: string;
  /** Bytes copied to it (0 when it held everything). */
  readonly bytesReceived: number;
  readonly rebootRequired: boolean;
  readonly stages: readonly DeployStageRecord[];
}

/** The whole report. */
export interface DeployReport {
  readonly action: ReportedAction;
  readonly hosts: readonly DeployHostReport[];
  readonly totals: Readonly<Record<DeployOutcome, number>> & { readonly hosts: number };
  readonly seconds: number;
  /** The copy stage's cascade, when there was one: its makespan, bytes and stop reason. */
  readonly cascade?: {
    readonly strategy: string;
    readonly reason: string;
    readonly makespanSeconds: number;
    readonly bytesTransferred: number;
    readonly transfers: number;
  };
  /** What the run decided on its own, e.g. which remote builders it used or left out. */
  readonly notes: readonly string[];
  /** Whether every host ended well (activated, built, pushed or unchanged). */
  readonly success: boolean;
}

/** A deploy's action, or `rollback` (`nix-cascade rollback`, same report). */
export type ReportedAction = DeployAction | 'rollback';

const DONE: Readonly<Record<ReportedAction, DeployOutcome>> = {
  switch: 'activated',
  boot: 'activated',
  test: 'activated',
  'dry-activate': 'activated',
  build: 'built',
  push: 'pushed',
  keys: 'keys-uploaded',
  rollback: 'rolled-back',
};

/** Builds the report from the stage runner's, plus hosts whose settings never evaluated. */
export function deployReport(
  action: ReportedAction,
  dag: DagReport,
  broken: ReadonlyMap<HostId, string>,
  cascade: RealCascadeResult | undefined,
  notes: readonly string[] = [],
): DeployReport {
  const hosts: DeployHostReport[] = [...broken].map(([host, error]) => ({
    host,
    outcome: 'failed',
    stage: 'eval',
    error,
    bytesReceived: 0,
    rebootRequired: false,
    stages: [{ stage: 'eval', status: 'failed' }],
  }));
  for (const h of dag.hosts) hosts.push(hostReport(action, h));
  const totals = {
    hosts: hosts.length,
    activated: 0,
    'rolled-back': 0,
    built: 0,
    pushed: 0,
    'keys-uploaded': 0,
    unchanged: 0,
    failed: 0,
    skipped: 0,
  };
  for (const h of hosts) totals[h.outcome]++;
  return {
    action,
    hosts,
    totals,
    seconds: dag.finishedAt - dag.startedAt,
    ...(cascade
      ? {
          cascade: {
            strategy: cascade.result.strategy,
            reason: cascade.result.reason,
            makespanSeconds: cascade.result.makespanSeconds,
            bytesTransferred: cascade.result.bytesTransferred,
            transfers: cascade.result.transfersStarted,
          },
        }
      : {}),
    notes,
    success: totals.failed === 0 && totals.skipped === 0,
  };
}

function hostReport(action: ReportedAction, h: HostResult): DeployHostReport {
  const stages = h.stages.map((s): DeployStageRecord => ({
    stage: s.stage,
    status: s.status,
    ...(s.startedAt !== undefined && s.finishedAt !== undefined
      ? { seconds: s.finishedAt - s.startedAt }
      : {}),
    ...(s.detail !== undefined ? { detail: s.detail } : {}),
  }));
  const byStage = new Map(h.stages.map((s) => [s.stage, s]));
  // The system it was given (eval), or the one a rollback left it on.
  const evalOut = (byStage.get('eval') ?? byStage.get('rollback'))?.output as
    { toplevel?: { outPath?: string } } | undefined;
  const copied = byStage.get('copy')?.output as CopyDetail | undefined;
  const base = {
    host: h.host,
    ...(evalOut?.toplevel?.outPath ? { toplevel: evalOut.toplevel.outPath } : {}),
    bytesReceived: copied?.bytesReceived ?? 0,
    rebootRequired: /reboot required/.test(byStage.get('activate')?.detail ?? ''),
    stages,
  };
  const r = hostOutcome(action, h, base);
  const system = systemAfter(action, h);
  return system === undefined ? r : { ...r, system };
}

/**
 * What the host runs at the end of an activating action, from its stage records: the activation's own
 * record says it, except that a rollback (the watchdog's or after a health check) returns it to `old`.
 */
function systemAfter(action: ReportedAction, h: HostResult): DeployHostReport['system'] {
  if (action !== 'switch' && action !== 'boot' && action !== 'test') return undefined;
  if (h.outcome === 'skipped-early' && h.reason === 'unchanged') return 'new';
  // A rollback is recorded on the stage that did it (activate, health), however the run ended.
  if (h.stages.some((s) => rollbackOf(s.cause).rollback !== undefined)) return 'old';
  const activation = h.stages.find((s) => s.stage === 'activate');
  if (activation === undefined || activation.startedAt === undefined) return 'old';
  if (activation.status !== 'ok') return 'unknown';
  // `boot` only sets the profile: the host runs the new system once it has rebooted.
  if (action === 'boot')
    return h.stages.some((s) => s.stage === 'reboot' && s.status === 'ok') ? 'new' : 'old';
  return 'new';
}

function hostOutcome(
  action: ReportedAction,
  h: HostResult,
  base: Omit<DeployHostReport, 'outcome'>,
): DeployHostReport {
  switch (h.outcome) {
    case 'done':
      return { ...base, outcome: DONE[action] };
    case 'skipped-early':
      // A host that already ran the system is unchanged; one left out on purpose (a stopped rollout) is skipped.
      return h.reason === 'unchanged'
        ? { ...base, outcome: 'unchanged' }
        : { ...base, outcome: 'skipped', stage: h.stage, reason: h.reason };
    case 'failed':
      return { ...base, outcome: 'failed', stage: h.stage, error: h.error, ...rollbackOf(h.cause) };
    case 'cancelled':
      return { ...base, outcome: 'skipped', stage: h.stage };
  }
}

function rollbackOf(cause: unknown): { rollback?: string } {
  const r = (cause as { rollback?: unknown } | undefined)?.rollback;
  return typeof r === 'string' ? { rollback: r } : {};
}

/** The report as the table printed at the end of a deploy. */
export function reportText(r: DeployReport): string {
  const rows = r.hosts.map((h) => [
    h.host,
    h.outcome === 'failed'
      ? `failed at ${h.stage}${h.rollback ? ', rolled back' : ''}`
      : h.outcome === 'skipped'
        ? `skipped (${h.reason ?? h.stage})`
        : h.outcome,
    h.stages
      .filter((s) => s.seconds !== undefined)
      .map((s) => `${s.stage} ${formatDuration(s.seconds!, 1)}`)
      .join(', '),
    formatBytes(h.bytesReceived, 1),
  ]);
  const head = ['host', 'outcome', 'stages', 'received'];
  const widths = head.map((t, i) => Math.max(t.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  let text = `${line(head)}\n${rows.map(line).join('\n')}\n`;
  for (const h of r.hosts) {
    if (h.error !== undefined) text += `\n${h.host} failed at ${h.stage}:\n${indent(h.error)}\n`;
    if (h.rebootRequired) text += `\n${h.host}: activated; a reboot is needed to finish\n`;
  }
  const bySystem = (k: 'new' | 'old' | 'unknown'): string[] =>
    r.hosts.filter((h) => h.system === k).map((h) => h.host);
  if (r.hosts.some((h) => h.system !== undefined && h.system !== 'new')) {
    text += `\nnow on the new system: ${bySystem('new').join(', ') || 'none'}`;
    text += `\nstill on the old one: ${bySystem('old').join(', ') || 'none'}`;
    if (bySystem('unknown').length > 0)
      text += `\nunknown (interrupted or failed activation): ${bySystem('unknown').join(', ')}`;
    text += '\n';
  }
  for (const n of r.notes) text += `\nnote: ${n}\n`;
  const t = r.totals;
  const counts = (
    [
      'activated',
      'rolled-back',
      'built',
      'pushed',
      'keys-uploaded',
      'unchanged',
      'failed',
      'skipped',
    ] as const
  )
    .filter((k) => t[k] > 0)
    .map((k) => `${t[k]} ${k}`)
    .join(', ');
  text += `\n${r.action}: ${t.hosts} hosts: ${counts || 'none'} in ${formatDuration(r.seconds, 1)}`;
  if (r.cascade)
    text += `; cascade (${r.cascade.strategy}) moved ${formatBytes(r.cascade.bytesTransferred, 1)} in ${formatDuration(r.cascade.makespanSeconds, 1)}`;
  return `${text}\n`;
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
