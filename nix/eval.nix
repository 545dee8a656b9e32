# The deploy pipeline's evaluator: one `nix eval --json --impure --file nix/eval.nix` call reads what it
# asks for from a flake, for a list of hosts. Its inputs come from the environment, never spliced into
# Nix text: NC_FLAKE (a flake reference), NC_WHAT ("fleet" or "toplevels"), NC_NAMES (a JSON list of host
# names; for "fleet", null means every host).
#
# What a host's settings are is nix/lib's (nodeSettings, fleetArgs, fleetSettings), the same functions
# mkFleet uses, so `deploy --flake` and a fleet file written by mkFleet agree. The "fleet" answer has no
# toplevels on purpose: a host whose system does not evaluate still has settings, and is reported alone.
let
  lib = import ./lib;
  flake = builtins.getFlake (builtins.getEnv "NC_FLAKE");
  what = builtins.getEnv "NC_WHAT";
  names = builtins.fromJSON (builtins.getEnv "NC_NAMES");
  args = lib.fleetArgs flake;
  all = lib.hostsOf { inherit (args) nixosConfigurations darwinConfigurations; };
  selected = if names == null then builtins.attrNames all else names;
  host = name: all.${name} or (throw "nix-cascade: no host ${name} in nixosConfigurations or darwinConfigurations");
  toplevel = name: let t = (host name).config.system.build.toplevel; in { drv = t.drvPath; out = t.outPath; };
  byName = f: builtins.listToAttrs (map (n: { name = n; value = f n; }) selected);
in
  if what == "fleet" then
    { nodes = byName (n: lib.nodeSettings n (host n)); flakeUri = builtins.getEnv "NC_FLAKE"; }
    // lib.fleetSettings { inherit (args) builders deployer meta; }
  else if what == "toplevels" then byName toplevel
  else throw "nix-cascade: NC_WHAT must be fleet or toplevels, got ${what}"
