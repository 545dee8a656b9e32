# The deploy pipeline's evaluator: one `nix eval --json --impure --file nix/eval.nix` call reads what it
# asks for from a flake, for a list of hosts. Its inputs come from the environment, never spliced into
# Nix text: NC_FLAKE (a flake reference), NC_WHAT ("fleet" or "toplevels"), NC_NAMES (a JSON list of host
# names; for "fleet", null means every host).
let
  flake = builtins.getFlake (builtins.getEnv "NC_FLAKE");
  what = builtins.getEnv "NC_WHAT";
  names = builtins.fromJSON (builtins.getEnv "NC_NAMES");
  nixos = flake.nixosConfigurations or { };
  darwin = flake.darwinConfigurations or { };
  # darwinConfigurations win a name clash: nix-darwin hosts are listed there on purpose.
  all = builtins.mapAttrs (_: c: { profileType = "nixos"; config = c.config; }) nixos
    // builtins.mapAttrs (_: c: { profileType = "nix-darwin"; config = c.config; }) darwin;
  selected = if names == null then builtins.attrNames all else names;
  host = name: all.${name} or (throw "nix-cascade: no host ${name} in nixosConfigurations or darwinConfigurations");
  # The module's option names (nix/module.nix), read with the defaults colmena gives them, so a flake
  # without the module (or with colmena's own) reads the same.
  fleetNode = name: let
    h = host name;
    d = h.config.deployment or { };
    c = d.cascade or { };
    system = h.config.nixpkgs.hostPlatform.system or h.config.nixpkgs.system or null;
    opt = n: v: if v == null then { } else { ${n} = v; };
  in
    { targetHost = if (d.targetHost or null) == null then name else d.targetHost;
      tags = d.tags or [ ];
      buildOnTarget = d.buildOnTarget or false;
      sshOptions = d.sshOptions or [ ];
      replaceUnknownProfiles = d.replaceUnknownProfiles or true;
      allowLocalDeployment = d.allowLocalDeployment or false;
      profileType = h.profileType;
      keys = builtins.mapAttrs (_: keyOf) (d.keys or { });
    }
    // opt "healthChecks" (d.healthChecks or null)
    // opt "targetPort" (d.targetPort or null)
    // opt "targetUser" (d.targetUser or null)
    // opt "privilegeEscalationCommand" (d.privilegeEscalationCommand or null)
    // opt "system" (if builtins.isString system then system else null)
    // opt "uplink" (c.uplink or null)
    // opt "downlink" (c.downlink or null)
    // opt "maxSends" (c.maxSends or null)
    // opt "maxReceives" (c.maxReceives or null);
  # colmena's deployment.keys, only the fields set. A keyFile path is passed as its string (toString does
  # not copy it into the store; toJSON of a path would).
  keyOf = k:
    let set = n: if (k.${n} or null) == null then { } else { ${n} = k.${n}; };
    in set "name" // set "text" // set "keyCommand" // set "destDir" // set "user" // set "group"
      // set "permissions" // set "uploadAt"
      // (if (k.keyFile or null) == null then { } else { keyFile = toString k.keyFile; });
  meta = (flake.colmena.meta or { }) // (flake.nixCascade.meta or { });
  toplevel = name: let t = (host name).config.system.build.toplevel; in { drv = t.drvPath; out = t.outPath; };
  byName = f: builtins.listToAttrs (map (n: { name = n; value = f n; }) selected);
in
  if what == "fleet" then
    { nodes = byName fleetNode; flakeUri = builtins.getEnv "NC_FLAKE"; builders = flake.nixCascade.builders or { }; }
    // (if meta ? allowApplyAll then { meta.allowApplyAll = meta.allowApplyAll; } else { })
    // (if flake ? nixCascade.deployer then { inherit (flake.nixCascade) deployer; } else { })
  else if what == "toplevels" then byName toplevel
  else throw "nix-cascade: NC_WHAT must be fleet or toplevels, got ${what}"
