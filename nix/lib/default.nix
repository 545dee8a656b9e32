# nix-cascade's Nix library: how a NixOS / nix-darwin configuration becomes a fleet-file node (the JSON
# src/fleet/fleetFile.ts reads, docs/fleet-file.md). Pure builtins, no nixpkgs, so that both callers can
# use it with nothing else at hand:
#   - nix/eval.nix, behind `nix-cascade deploy --flake` (settings only: it must not force toplevels);
#   - a user's flake, through `mkFleet`, to write the fleet file `cascade` and `health` read.
# Both go through `nodeSettings`, so a host reads the same whichever way it is deployed.
#
#   lib = import ./nix/lib;            # or nix-cascade.lib from the repository's flake
#   lib.mkFleet { inherit (self) nixosConfigurations darwinConfigurations; }
#   lib.mkFleet (lib.fleetArgs self)   # everything `deploy --flake` reads: hosts, nixCascade.*, colmena.meta
let
  # `{ name = value; }`, or nothing for null: the fleet file's own defaults then apply.
  optional = name: value: if value == null then { } else { ${name} = value; };
in
rec {
  # Every host of the two configuration sets, by name, as `{ profileType, config }`.
  # darwinConfigurations win a name clash: nix-darwin hosts are listed there on purpose.
  hostsOf =
    {
      nixosConfigurations ? { },
      darwinConfigurations ? { },
    }:
    builtins.mapAttrs (_: c: {
      profileType = "nixos";
      inherit (c) config;
    }) nixosConfigurations
    // builtins.mapAttrs (_: c: {
      profileType = "nix-darwin";
      inherit (c) config;
    }) darwinConfigurations;

  # colmena's deployment.keys, only the fields set. A keyFile path is passed as its string (toString does
  # not copy it into the store; toJSON of a path would).
  keySettings =
    k:
    let
      set = n: optional n (k.${n} or null);
    in
    set "name"
    // set "text"
    // set "keyCommand"
    // set "destDir"
    // set "user"
    // set "group"
    // set "permissions"
    // set "uploadAt"
    // optional "keyFile" (if (k.keyFile or null) == null then null else toString k.keyFile);

  # One host's deployment settings as a fleet-file node (without its toplevel). The option names are
  # nix/module.nix's, which are colmena's; each is read with colmena's default, so a configuration
  # without the module (or with colmena's own) reads the same as one with it.
  nodeSettings =
    name:
    { profileType, config }:
    let
      d = config.deployment or { };
      c = d.cascade or { };
      user = d.targetUser or null;
      # colmena runs the escalation command only for a user that is not root. An unset user is the fleet
      # file's default: root on NixOS, not root on nix-darwin (fleetFile.ts), so only NixOS drops it.
      asRoot = user == "root" || (user == null && profileType == "nixos");
      system = config.nixpkgs.hostPlatform.system or config.nixpkgs.system or null;
    in
    {
      targetHost = if (d.targetHost or null) == null then name else d.targetHost;
      tags = d.tags or [ ];
      buildOnTarget = d.buildOnTarget or false;
      sshOptions = d.sshOptions or [ ];
      replaceUnknownProfiles = d.replaceUnknownProfiles or true;
      allowLocalDeployment = d.allowLocalDeployment or false;
      inherit profileType;
      keys = builtins.mapAttrs (_: keySettings) (d.keys or { });
    }
    // optional "healthChecks" (d.healthChecks or null)
    // optional "targetPort" (d.targetPort or null)
    // optional "targetUser" user
    // optional "privilegeEscalationCommand" (if asRoot then null else d.privilegeEscalationCommand or null)
    // optional "system" (if builtins.isString system then system else null)
    // optional "uplink" (c.uplink or null)
    // optional "downlink" (c.downlink or null)
    // optional "maxSends" (c.maxSends or null)
    // optional "maxReceives" (c.maxReceives or null);

  # A host's built system: what `cascade` copies and `deploy --fleet` activates. Reading drvPath
  # instantiates the derivation; neither builds it.
  nodeToplevel =
    { config, ... }:
    {
      toplevel = config.system.build.toplevel.outPath;
      drvPath = config.system.build.toplevel.drvPath;
    };

  # The fleet-wide keys. Of `meta` only `allowApplyAll` is kept: colmena's meta also holds nixpkgs and
  # specialArgs, which are not JSON (functions) and which nix-cascade does not read.
  fleetSettings =
    {
      builders ? { },
      deployer ? null,
      meta ? { },
    }:
    {
      inherit builders;
    }
    // (if meta ? allowApplyAll then { meta.allowApplyAll = meta.allowApplyAll; } else { })
    // optional "deployer" deployer;

  # mkFleet's arguments as `nix-cascade deploy --flake` reads them from a flake's outputs: its
  # nixosConfigurations and darwinConfigurations, nixCascade.{builders,deployer,meta}, and colmena.meta
  # (nixCascade.meta wins a clash).
  fleetArgs = flake: {
    nixosConfigurations = flake.nixosConfigurations or { };
    darwinConfigurations = flake.darwinConfigurations or { };
    builders = flake.nixCascade.builders or { };
    deployer = flake.nixCascade.deployer or null;
    meta = (flake.colmena.meta or { }) // (flake.nixCascade.meta or { });
  };

  # The fleet file: `builtins.toJSON (mkFleet { … })` is what `nix-cascade cascade --fleet`, `health` and
  # `deploy --fleet` read. Every node carries its toplevel (outPath and drvPath), so the JSON's string
  # context holds every host's system: writing it with pkgs.writeText makes the file depend on them.
  # flakeUri, when given, names the flake the fleet came from (the fleet file's default is ".").
  mkFleet =
    {
      nixosConfigurations ? { },
      darwinConfigurations ? { },
      builders ? { },
      deployer ? null,
      meta ? { },
      flakeUri ? null,
    }:
    {
      nodes = builtins.mapAttrs (name: h: nodeSettings name h // nodeToplevel h) (hostsOf {
        inherit nixosConfigurations darwinConfigurations;
      });
    }
    // fleetSettings { inherit builders deployer meta; }
    // optional "flakeUri" flakeUri;
}
