# nix-cascade as a flake input: the deployment module and the Nix library. No inputs: both use only
# builtins (the module gets `lib` from the system that imports it), so depending on nix-cascade adds no
# nixpkgs to a fleet's lock file. The TypeScript tool itself is installed with npm, not from here.
#
#   imports = [ nix-cascade.nixosModules.default ];          # or darwinModules.default
#   nix-cascade.lib.mkFleet { inherit (self) nixosConfigurations; }
#
# NIXLIB_README.md (README "Deploying a fleet") shows a whole flake.
{
  description = "nix-cascade: deployment.* options for NixOS / nix-darwin and mkFleet, the fleet-file writer";

  outputs =
    { self }:
    let
      # A module that imports the file, rather than the path itself: older `nix flake check` (2.8)
      # accepts only a function or an attrset there, and the import keeps the file's name in errors.
      module = {
        imports = [ ./nix/module.nix ];
      };
    in
    {
      lib = import ./nix/lib;
      nixosModules.default = module;
      darwinModules.default = module;
    };
}
