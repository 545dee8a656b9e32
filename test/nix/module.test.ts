/**
 * nix/module.nix evaluated with `lib.evalModules` by real `nix eval`: its option defaults are colmena's
 * (plus nix-cascade's `deployment.cascade.*`), definitions are kept, and a value of the wrong type (a port
 * out of range, …) or an option that does not exist is an evaluation error.
 *
 * Which lib: nixpkgs is not on the test machines and the tests must not fetch it, so the module is
 * evaluated with test/nix/lib-shim.nix, a test-only stand-in implementing exactly the lib functions the
 * module uses (its header says which). Set NIXPKGS_LIB to a nixpkgs `lib` directory (a nixpkgs checkout's
 * lib/, or nix-community/nixpkgs.lib's) to run the same cases against the real module system as well;
 * the module itself is written against nixpkgs' lib and must pass both.
 */
import { describe, expect, it } from 'vitest';
import { LIB_SHIM, MODULE_NIX, nixEval } from './nixEval.js';

const libs: [string, string][] = [['the lib shim', LIB_SHIM]];
const real = process.env['NIXPKGS_LIB'];
if (real !== undefined && real !== '') libs.push(['nixpkgs lib (NIXPKGS_LIB)', real]);

/** `config.deployment` of the module with `defs` (one definition module). */
const EVAL = `lib: defs: (lib.evalModules { modules = [ (/. + builtins.getEnv "NC_MODULE") defs ]; }).config.deployment`;

function deployment(lib: string, defs: unknown): unknown {
  return nixEval(
    {
      expr: `let lib = import (builtins.getEnv "NC_LIB_UNDER_TEST"); in (${EVAL}) lib (builtins.fromJSON (builtins.getEnv "NC_DEFS"))`,
    },
    { NC_LIB_UNDER_TEST: lib, NC_MODULE: MODULE_NIX, NC_DEFS: JSON.stringify(defs) },
  );
}

/** Per definition: whether the whole config evaluates (false: the module system refused it). */
function evaluates(lib: string, defs: readonly unknown[]): boolean[] {
  return nixEval(
    {
      expr: `let lib = import (builtins.getEnv "NC_LIB_UNDER_TEST"); eval = ${EVAL}; in
        map (d: (builtins.tryEval (builtins.deepSeq (eval lib d) true)).success) (builtins.fromJSON (builtins.getEnv "NC_DEFS"))`,
    },
    { NC_LIB_UNDER_TEST: lib, NC_MODULE: MODULE_NIX, NC_DEFS: JSON.stringify(defs) },
  ) as boolean[];
}

describe.each(libs)('nix/module.nix with %s', (_name, lib) => {
  it("declares colmena's options with colmena's defaults, and deployment.cascade unset", () => {
    expect(deployment(lib, {})).toEqual({
      targetHost: null,
      targetPort: 22,
      targetUser: 'root',
      tags: [],
      buildOnTarget: false,
      sshOptions: [],
      privilegeEscalationCommand: ['sudo', '-H', '--'],
      replaceUnknownProfiles: true,
      allowLocalDeployment: false,
      keys: {},
      healthChecks: {},
      cascade: { uplink: null, downlink: null, maxSends: null, maxReceives: null },
    });
  });

  it('keeps what is defined', () => {
    const defs = {
      deployment: {
        targetHost: 'web-01.example.org',
        targetPort: 2222,
        targetUser: null,
        tags: ['web'],
        privilegeEscalationCommand: ['doas'],
        cascade: { uplink: '1gbit', downlink: 125_000_000, maxSends: 2 },
      },
    };
    expect(deployment(lib, defs)).toMatchObject({
      ...defs.deployment,
      cascade: { ...defs.deployment.cascade, maxReceives: null },
    });
  });

  it('refuses a bad port, other wrong types and an option that does not exist', () => {
    const defs = [
      { deployment: { targetPort: 65535 } },
      { deployment: { targetPort: 65536 } },
      { deployment: { targetPort: -1 } },
      { deployment: { targetPort: '22' } },
      { deployment: { tags: 'web' } },
      { deployment: { buildOnTarget: 'yes' } },
      { deployment: { cascade: { maxSends: 0 } } },
      { deployment: { cascade: { uplink: 0 } } },
      { deployment: { targetHots: 'typo' } },
    ];
    expect(evaluates(lib, defs)).toEqual([true, false, false, false, false, false, false, false, false]);
  });
});
