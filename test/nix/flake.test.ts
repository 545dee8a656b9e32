/**
 * The repository's flake.nix, what a fleet's flake takes nix-cascade as an input for: `lib` (nix/lib)
 * and the module as nixosModules.default and darwinModules.default, with no inputs of its own. Read by
 * importing the file (a flake reference to this checkout would see only git-tracked files).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MODULE_NIX, nixEval } from './nixEval.js';

const ROOT_FLAKE = fileURLToPath(new URL('../../flake.nix', import.meta.url));

describe('flake.nix', () => {
  it('exports lib with mkFleet and the module for NixOS and nix-darwin, and has no inputs', () => {
    const j = nixEval(
      {
        expr: `let f = import (builtins.getEnv "NC_ROOT_FLAKE"); o = f.outputs { self = o; }; in {
          inputs = f ? inputs;
          lib = builtins.attrNames o.lib;
          empty = o.lib.mkFleet { };
          imports = map toString o.nixosModules.default.imports;
          same = o.nixosModules.default == o.darwinModules.default;
        }`,
      },
      { NC_ROOT_FLAKE: ROOT_FLAKE },
    );
    expect(j).toEqual({
      inputs: false,
      lib: expect.arrayContaining(['mkFleet', 'fleetArgs', 'nodeSettings']) as unknown,
      empty: { nodes: {}, builders: {} },
      imports: [MODULE_NIX],
      same: true,
    });
  });
});
