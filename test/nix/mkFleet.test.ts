/**
 * nix/lib's mkFleet, evaluated by real `nix eval` (offline): its JSON is a fleet file the project's own
 * parser reads, with colmena's defaults; and it agrees with nix/eval.nix (`deploy --flake`), which uses
 * the same per-node conversion. The fixture fleet is test/nix/fixtures/hosts.nix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVAL_NIX } from '../../src/deploy/eval.js';
import { parseFleetFile } from '../../src/fleet/fleetFile.js';
import type { RealFleet, RealHost } from '../../src/fleet/realFleet.js';
import { fixtureFlake, NIX_LIB, nixEval } from './nixEval.js';

type Json = Record<string, unknown>;
type Nodes = Record<string, Json>;

let flake: ReturnType<typeof fixtureFlake>;
let fromFlake: Json;
let fleet: RealFleet;
const env = (): Record<string, string> => ({ NC_LIB: NIX_LIB, NC_FLAKE: flake.dir });
const host = (id: string): RealHost => fleet.hosts.find((h) => h.id === id)!;

beforeAll(() => {
  flake = fixtureFlake();
  fromFlake = nixEval(
    {
      expr: 'let lib = import (builtins.getEnv "NC_LIB"); in lib.mkFleet (lib.fleetArgs (builtins.getFlake (builtins.getEnv "NC_FLAKE")))',
    },
    env(),
  ) as Json;
  fleet = parseFleetFile(JSON.stringify(fromFlake), 'mkFleet');
});
afterAll(() => flake.remove());

describe('mkFleet', () => {
  it('is a fleet file: every host of both sets, with its toplevel', () => {
    expect(fleet.hosts.map((h) => h.id).sort()).toEqual([
      'bare-01',
      'db-01',
      'mac-01',
      'mac-02',
      'web-01',
      'web-02',
    ]);
    for (const h of fleet.hosts) {
      expect(h.toplevel).toMatch(new RegExp(`^/nix/store/[a-z0-9]{32}-nixos-system-${h.id}$`));
      expect(h.drvPath).toMatch(new RegExp(`^/nix/store/[a-z0-9]{32}-nixos-system-${h.id}\\.drv$`));
    }
    expect(host('web-01').profileType).toBe('nixos');
    expect(host('mac-01').profileType).toBe('nix-darwin');
  });

  it("gives colmena's defaults: the name as address, root on 22, no escalation for root", () => {
    for (const id of ['web-01', 'bare-01']) {
      expect(host(id)).toMatchObject({
        address: id,
        user: 'root',
        port: 22,
        privilegeEscalationCommand: [],
        tags: [],
        options: [],
        system: 'x86_64-linux',
        buildOnTarget: false,
        replaceUnknownProfiles: true,
        allowLocalDeployment: false,
      });
    }
    // An escalation command set for root is not used (colmena's rule), the rest of what is set is kept.
    expect(host('db-01')).toMatchObject({
      user: 'root',
      privilegeEscalationCommand: [],
      options: ['ConnectTimeout=5'],
      buildOnTarget: true,
      replaceUnknownProfiles: false,
      allowLocalDeployment: true,
    });
  });

  it('keeps what a host sets, and gives a non-root user sudo -H -- unless it names its own command', () => {
    expect(host('web-02')).toMatchObject({
      address: '10.0.0.12',
      port: 2222,
      user: 'deploy',
      privilegeEscalationCommand: ['sudo', '-H', '--'],
      tags: ['web', 'eu'],
      uplink: 125_000_000,
      downlink: 125_000_000,
      maxSends: 4,
      maxReceives: 2,
    });
    expect(host('mac-01')).toMatchObject({ user: 'admin', privilegeEscalationCommand: ['sudo', '-n'] });
    // nix-darwin without the module: the fleet file's nix-darwin user, with colmena's sudo.
    expect(host('mac-02')).toMatchObject({
      user: 'admin',
      port: 2200,
      privilegeEscalationCommand: ['sudo', '-H', '--'],
    });
  });

  it("carries the flake's builders and deployer; of meta only allowApplyAll, nixCascade's over colmena's", () => {
    expect(fleet.builders).toMatchObject([{ name: 'big', host: '10.0.0.99', maxJobs: 8 }]);
    expect(fleet.deployer).toEqual({ id: 'laptop', maxSends: 8 });
    expect(fleet.allowApplyAll).toBe(false);
    expect(fromFlake['meta']).toEqual({ allowApplyAll: false });
    expect(fromFlake).not.toHaveProperty('flakeUri');
  });

  it('takes its arguments one by one, all optional but the hosts', () => {
    const j = nixEval(
      {
        expr: `let lib = import (builtins.getEnv "NC_LIB"); f = builtins.getFlake (builtins.getEnv "NC_FLAKE"); in {
          some = lib.mkFleet { inherit (f) nixosConfigurations; meta = f.colmena.meta; flakeUri = "github:o/fleet"; };
          none = lib.mkFleet { };
        }`,
      },
      env(),
    ) as { some: Json; none: Json };
    expect(Object.keys(j.some['nodes'] as Nodes).sort()).toEqual(['bare-01', 'db-01', 'web-01', 'web-02']);
    expect(j.some).toMatchObject({ builders: {}, meta: { allowApplyAll: true }, flakeUri: 'github:o/fleet' });
    expect(j.some).not.toHaveProperty('deployer');
    expect(parseFleetFile(JSON.stringify(j.some)).flakeUri).toBe('github:o/fleet');
    expect(j.none).toEqual({ nodes: {}, builders: {} });
  });

  it('refuses an argument it does not know (a typo must not drop the hosts silently)', () => {
    expect(() =>
      nixEval(
        { expr: 'let lib = import (builtins.getEnv "NC_LIB"); in lib.mkFleet { nixosConfiguration = { }; }' },
        env(),
      ),
    ).toThrow();
  });
});

describe('nix/eval.nix and mkFleet: one conversion', () => {
  it('give the same node settings, builders, meta and deployer for the same flake', () => {
    const evaluated = nixEval(
      { file: EVAL_NIX },
      { ...env(), NC_WHAT: 'fleet', NC_NAMES: 'null' },
    ) as Json & { nodes: Nodes };
    const withoutToplevel = Object.fromEntries(
      Object.entries(fromFlake['nodes'] as Nodes).map(([n, { toplevel: _t, drvPath: _d, ...rest }]) => [
        n,
        rest,
      ]),
    );
    expect(evaluated.nodes).toEqual(withoutToplevel);
    const { nodes: _n, flakeUri, ...fleetWide } = evaluated;
    const { nodes: _m, ...mkFleetWide } = fromFlake;
    expect(fleetWide).toEqual(mkFleetWide);
    expect(flakeUri).toBe(flake.dir);
  });

  it('evaluates the same toplevels', () => {
    const names = ['web-02', 'mac-01'];
    const tops = nixEval(
      { file: EVAL_NIX },
      { ...env(), NC_WHAT: 'toplevels', NC_NAMES: JSON.stringify(names) },
    ) as Record<string, { drv: string; out: string }>;
    for (const n of names) {
      const node = (fromFlake['nodes'] as Nodes)[n]!;
      expect(tops[n]).toEqual({ drv: node['drvPath'], out: node['toplevel'] });
    }
  });
});
