import { z } from 'zod';
import { durationSchema, rateSchema } from '../units/units.js';
import { TopologyBuilder } from './builder.js';
import type { GraphTopology } from './graph.js';

/** zod schema of {@link TopologySpec}: a hand-written (`custom`) topology in a scenario file. */
export const topologySpecSchema = z.strictObject({
  name: z.string().min(1).default('custom'),
  switches: z.array(z.strictObject({ id: z.string().min(1), group: z.string().min(1).optional() })).min(1),
  links: z
    .array(
      z.strictObject({
        from: z.string().min(1),
        to: z.string().min(1),
        bandwidth: rateSchema,
        latency: durationSchema,
        pricePerGB: z.number().finite().min(0).default(0),
        /** Also add the reverse direction with the same options (default true). */
        duplex: z.boolean().default(true),
      }),
    )
    .default([]),
  hosts: z.array(
    z.strictObject({
      host: z.string().min(1),
      switch: z.string().min(1),
      latency: durationSchema.default(0),
      group: z.string().min(1).optional(),
    }),
  ),
});

/** A hand-written topology: switches, links between them, and where each host attaches. */
export type TopologySpec = z.output<typeof topologySpecSchema>;

/**
 * Builds a topology from a validated {@link TopologySpec}.
 * @throws ConfigError naming the bad switch, link or host.
 */
export function topologyFromSpec(spec: TopologySpec): GraphTopology {
  const b = new TopologyBuilder();
  for (const s of spec.switches) b.addSwitch(s.id, s.group);
  for (const l of spec.links) b.addLink(l.from, l.to, l, l.duplex);
  for (const h of spec.hosts) b.attachHost(h.host, h.switch, h.latency, h.group);
  return b.build(spec.name);
}
