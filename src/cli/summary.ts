import type { RunResult } from '../core/coordinator.js';
import { formatBytes } from '../units/units.js';

/** The JSON object `simulate --json` (and `cascade --json`) prints: stable field names. */
export function resultJson(
  r: RunResult,
  traceSha256: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    strategy: r.strategy,
    mode: r.mode,
    reason: r.reason,
    success: r.success,
    hosts: r.hosts,
    hostsDone: r.hostsDone,
    hostsFailed: r.hostsFailed,
    hostsUnreached: r.hostsUnreached,
    rounds: r.rounds,
    makespanSeconds: r.makespanSeconds,
    lowerBoundSeconds: r.lowerBound.seconds,
    lowerBoundRounds: r.lowerBound.rounds,
    // A run that left hosts behind has no ratio: its makespan is when it stopped, not when it was done.
    ratioToLowerBound: r.success ? r.ratioToLowerBound : null,
    bytesTransferred: r.bytesTransferred,
    egressCost: r.egressCost,
    transfers: r.transfersStarted,
    transfersFailed: r.transfersFailed,
    failures: r.failed,
    unreached: r.unreached,
    retiredSources: r.retiredSources,
    traceSha256,
    ...extra,
  };
}

/** The readable summary of one run. */
export function resultText(r: RunResult, traceSha256: string): string {
  const lines = [
    `strategy        ${r.strategy} (${r.mode} mode)`,
    `outcome         ${r.success ? 'every host done' : r.reason === 'complete' ? 'finished, but not every host got its closure' : `stopped early: ${r.reason}`}`,
    `hosts           ${r.hostsDone} done, ${r.hostsFailed} failed, ${r.hostsUnreached} unreached of ${r.hosts}`,
    `rounds          ${r.rounds} (lower bound ${r.lowerBound.rounds} for whole-closure rounds)`,
    `makespan        ${r.makespanSeconds.toFixed(3)} s`,
    `lower bound     ${r.lowerBound.seconds.toFixed(3)} s  ${r.success ? `(ratio ${r.ratioToLowerBound.toFixed(3)})` : '(no ratio: the run did not finish)'}`,
    `bytes moved     ${formatBytes(r.bytesTransferred, 2)} in ${r.transfersStarted} transfers (${r.transfersFailed} failed)`,
    ...(r.egressCost > 0 ? [`egress cost     ${r.egressCost.toFixed(2)} (priced links)`] : []),
    `trace sha256    ${traceSha256}`,
  ];
  for (const f of r.failed)
    lines.push(
      `failed          ${f.host}: ${f.code} (${f.kind}) ${f.message}${f.server ? ` [served by ${f.server}]` : ''}`,
    );
  if (r.unreached.length > 0)
    lines.push(
      `unreached       ${r.unreached.slice(0, 20).join(', ')}${r.unreached.length > 20 ? ', …' : ''}`,
    );
  if (r.retiredSources.length > 0) {
    lines.push(
      `not a source    ${r.retiredSources.join(', ')} (its copies to others kept failing by its own fault)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
