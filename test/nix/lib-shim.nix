# TEST ONLY: a stand-in for the slice of nixpkgs' `lib` that nix/module.nix uses, so the module can be
# evaluated offline. No nixpkgs is on the test machines and the tests must not fetch it; vendoring
# nixpkgs' lib (thousands of lines) for one module is worse than a shim whose every function is here.
#
# It implements exactly: mkOption; types.str, bool, attrs, port, ints.positive, listOf, nullOr, either; and an
# evalModules { modules } that merges declarations and plain definitions the way nixpkgs does for these
# types: an undeclared option, a definition of the wrong type (the default included) and two different
# values for a non-list option are errors (`throw`, so builtins.tryEval sees them); lists concatenate;
# an option nobody defines takes its default. No priorities (mkDefault, mkForce), no mkIf, no imports,
# no submodules: the module uses none. test/nix/module.test.ts runs the same cases against a real
# nixpkgs lib when NIXPKGS_LIB names one, which keeps this shim honest.
let
  isOption = v: builtins.isAttrs v && (v._type or null) == "option";

  mkType = name: check: merge: {
    _type = "option-type";
    inherit name check merge;
  };
  # nixpkgs' mergeEqualOption: every definition must be the same value.
  mergeEqual =
    path: defs:
    let
      first = builtins.head defs;
    in
    if builtins.all (d: d == first) defs then first else throw "The option `${path}' has conflicting definition values.";
  int = mkType "signed integer" builtins.isInt mergeEqual;
  between =
    lo: hi: name:
    mkType name (v: int.check v && v >= lo && v <= hi) mergeEqual;

  types = {
    str = mkType "string" builtins.isString mergeEqual;
    bool = mkType "boolean" builtins.isBool mergeEqual;
    attrs = mkType "attribute set" builtins.isAttrs mergeEqual;
    port = between 0 65535 "16 bit unsigned integer; between 0 and 65535 (both inclusive)";
    ints.positive = mkType "positive integer, meaning >0" (v: int.check v && v > 0) mergeEqual;
    listOf = t: mkType "list of ${t.name}" (v: builtins.isList v && builtins.all t.check v) (_: builtins.concatLists);
    nullOr = t: mkType "null or ${t.name}" (v: v == null || t.check v) mergeEqual;
    either = a: b: mkType "${a.name} or ${b.name}" (v: a.check v || b.check v) mergeEqual;
  };

  mkOption =
    {
      type,
      default,
      description ? null,
      example ? null,
    }:
    {
      _type = "option";
      inherit type default description example;
    };

  # Declarations of several modules, merged; a name declared twice is an error, as in nixpkgs.
  mergeDecls =
    path: a: b:
    a
    // builtins.mapAttrs (
      n: v:
      if !(a ? ${n}) then
        v
      else if isOption v || isOption a.${n} then
        throw "The option `${path}${n}' is declared twice."
      else
        mergeDecls "${path}${n}." a.${n} v
    ) b;

  # The value of one option from its definitions (a list, in module order).
  optionValue =
    path: opt: defs:
    let
      all = if defs == [ ] then [ opt.default ] else defs;
    in
    if builtins.all opt.type.check all then
      opt.type.merge path all
    else
      throw "A definition for option `${path}' is not of type `${opt.type.name}'.";

  # The config tree under `decls`, from the definitions (attrsets) that reach it.
  configOf =
    path: decls: defs:
    let
      defined = builtins.concatMap builtins.attrNames defs;
      unknown = builtins.filter (n: !(decls ? ${n})) defined;
      here = n: builtins.concatMap (d: if d ? ${n} then [ d.${n} ] else [ ]) defs;
    in
    if unknown != [ ] then
      throw "The option `${path}${builtins.head unknown}' does not exist."
    else
      builtins.mapAttrs (
        n: decl: if isOption decl then optionValue "${path}${n}" decl (here n) else configOf "${path}${n}." decl (here n)
      ) decls;

  evalModules =
    { modules }:
    let
      # A module is a file, a function of { lib, config, options, ... } or an attrset; it gives
      # { options, config } or, as shorthand, only config.
      load =
        m:
        let
          f = if builtins.isPath m then import m else m;
          r = if builtins.isFunction f then f { inherit lib config options; } else f;
        in
        if r ? options || r ? config then
          {
            options = r.options or { };
            config = r.config or { };
          }
        else
          {
            options = { };
            config = r;
          };
      loaded = map load modules;
      options = builtins.foldl' (mergeDecls "") { } (map (l: l.options) loaded);
      config = configOf "" options (map (l: l.config) loaded);
    in
    {
      inherit options config;
    };

  lib = {
    inherit mkOption types evalModules;
  };
in
lib
