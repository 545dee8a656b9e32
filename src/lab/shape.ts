import { ExecutorError } from '../core/errors.js';

/**
 * Shapes what leaves `dev` with tc: a token bucket at `rate`, and under it (or alone) netem's `latency`.
 * `tc` runs the command where `dev` lives (the root namespace or a host's).
 * @throws ExecutorError when netem is wanted and the kernel lacks it.
 */
export async function shape(
  tc: (args: string[]) => Promise<string>,
  dev: string,
  rate: string | undefined,
  latency: string | undefined,
): Promise<void> {
  if (rate !== undefined) {
    await tc([
      'qdisc',
      'replace',
      'dev',
      dev,
      'root',
      'handle',
      '1:',
      'tbf',
      'rate',
      rate,
      'burst',
      '64kb',
      'latency',
      '50ms',
    ]);
  }
  if (latency !== undefined) {
    const parent = rate !== undefined ? ['parent', '1:1', 'handle', '10:'] : ['root', 'handle', '1:'];
    try {
      await tc(['qdisc', 'add', 'dev', dev, ...parent, 'netem', 'delay', latency]);
    } catch (e) {
      throw new ExecutorError(
        `--latency needs the kernel's netem qdisc (sch_netem), which this machine lacks: ${(e as Error).message}`,
      );
    }
  }
}
