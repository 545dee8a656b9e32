# nix-cascade's deployment options, for NixOS and nix-darwin configurations alike (it uses nothing but
# `lib`). The names, types and defaults are colmena's (zhaofengli/colmena src/nix/hive/options.nix), so a
# colmena fleet's `deployment.*` settings keep their meaning; `deployment.cascade.*` is nix-cascade's own.
# What reads them is nix/lib (nodeSettings), for `nix-cascade deploy --flake` and for mkFleet.
#
# Differences from colmena's module: `targetHost` defaults to null, which here means the node's attribute
# name in nixosConfigurations / darwinConfigurations (a NixOS module does not know that name; colmena's
# hive passes it in), not "local deployment only"; `targetPort` defaults to 22 rather than ssh's choice.
# `keys` (colmena's) and `healthChecks` (morph's) are declared as plain attribute sets: nix-cascade checks
# their fields when it reads the fleet (each error names the host and the field), so the module stays
# free of submodule machinery. Import this module or colmena's, not both: the names clash.
{ lib, ... }:
let
  inherit (lib) mkOption types;
  # Link rates as the fleet file takes them: bytes per second, or a string such as "100mbit".
  rate = types.nullOr (types.either types.ints.positive types.str);
in
{
  options.deployment = {
    targetHost = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "10.0.0.11";
      description = ''
        Host name or address nix-cascade connects to over SSH. null: the node's name in
        nixosConfigurations / darwinConfigurations.
      '';
    };
    targetPort = mkOption {
      type = types.nullOr types.port;
      default = 22;
      description = "SSH port of the target. null: the fleet file's default (22).";
    };
    targetUser = mkOption {
      type = types.nullOr types.str;
      default = "root";
      description = ''
        SSH user on the target; it must be one of the target's Nix `trusted-users`. null: the fleet
        file's default (root on NixOS, admin on nix-darwin).
      '';
    };
    tags = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "web" "eu" ];
      description = "Tags, for selecting hosts with `--on @tag`.";
    };
    buildOnTarget = mkOption {
      type = types.bool;
      default = false;
      description = "Copy the system's derivation to the target and build it there instead of on the deployer.";
    };
    sshOptions = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "-o" "ConnectTimeout=5" "-i" "/etc/nix-cascade/key" ];
      description = ''
        Extra ssh arguments. nix-cascade accepts `-o Key=Value`, `-oKey=Value` and `-i FILE`, and refuses
        anything else when it reads the fleet.
      '';
    };
    privilegeEscalationCommand = mkOption {
      type = types.listOf types.str;
      default = [
        "sudo"
        "-H"
        "--"
      ];
      description = ''
        Command put in front of every activation command, used only when `targetUser` is not root
        (as colmena does). The user must be allowed to run it without a password.
      '';
    };
    replaceUnknownProfiles = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether to replace a system profile the deployer has never deployed (one another user or
        machine set). false refuses such a host unless `--force-replace-unknown-profiles` is given.
      '';
    };
    allowLocalDeployment = mkOption {
      type = types.bool;
      default = false;
      description = "Whether the configuration may be applied to the machine running nix-cascade.";
    };
    keys = mkOption {
      type = types.attrs;
      default = { };
      example = {
        "db-password" = {
          keyCommand = [ "pass" "show" "db" ];
          user = "postgres";
          group = "postgres";
          permissions = "0640";
        };
      };
      description = ''
        Secrets uploaded over ssh, never through the store (colmena's names): per key exactly one of
        `text`, `keyFile` (an absolute path on the deployer, as a string) or `keyCommand` (argv run on the
        deployer), and `name`, `destDir` [/run/keys], `user`, `group` [root], `permissions` [0600],
        `uploadAt` [pre-activation | post-activation]. A `text` in a flake is in the store with the flake.
      '';
    };
    healthChecks = mkOption {
      type = types.attrs;
      default = { };
      example = {
        http = [ { port = 80; path = "/health"; } ];
        cmd = [ { cmd = [ "systemctl" "is-active" "nginx" ]; } ];
      };
      description = ''
        Checks run after `switch` and `test` (morph's names, plus `tcp`): `cmd` (argv on the host over
        ssh), `http` (a GET from the deployer: scheme, host, port, path, status) and `tcp` (host, port),
        each with `timeout` [5], `period` [2] and `retries` [5].
      '';
    };
    cascade = {
      uplink = mkOption {
        type = rate;
        default = null;
        example = "1gbit";
        description = "Upload rate of the host, for the cascade strategies. null: the fleet's default.";
      };
      downlink = mkOption {
        type = rate;
        default = null;
        example = "1gbit";
        description = "Download rate of the host, for the cascade strategies. null: the fleet's default.";
      };
      maxSends = mkOption {
        type = types.nullOr types.ints.positive;
        default = null;
        description = "Copies the host may send at once. null: the fleet's default (1).";
      };
      maxReceives = mkOption {
        type = types.nullOr types.ints.positive;
        default = null;
        description = "Copies the host may receive at once. null: the fleet's default (1).";
      };
    };
  };
}
