/**
 * The error hierarchy. Tests and callers check the class (`instanceof ConfigError`), never the message.
 */

/** Base class of every error nix-cascade throws on purpose. */
export class CascadeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input: a malformed scenario or fleet file, an unknown host, strategy or flag value. */
export class ConfigError extends CascadeError {
  /** Where the bad input is: a file path, a flag, a field path such as `hosts[3].uplink`. */
  readonly where: string | undefined;
  constructor(message: string, where?: string, options?: ErrorOptions) {
    super(where === undefined ? message : `${where}: ${message}`, options);
    this.where = where;
  }
}

/** A strategy proposed something the coordinator must refuse; the run stays consistent. */
export class StrategyError extends CascadeError {
  constructor(
    message: string,
    readonly strategy: string,
    readonly round: number,
    readonly proposal?: { readonly from: string; readonly to: string; readonly paths: readonly string[] },
  ) {
    super(
      `strategy "${strategy}" (round ${round})${
        proposal ? ` proposed ${proposal.from} -> ${proposal.to} [${proposal.paths.length} path(s)]` : ''
      }: ${message}`,
    );
  }
}

/** A transfer could not be carried out in a way the caller must hear about (not a routine failed copy). */
export class TransferError extends CascadeError {}

/** An executor or lab problem: a missing tool, a process that would not start, a lab that is not up. */
export class ExecutorError extends CascadeError {}

/**
 * A trace written by a newer nix-cascade, in a format version this one does not know: upgrade to read it.
 * A {@link ConfigError} (bad input: the CLI exits 2) of its own class, so callers can tell it apart.
 */
export class TraceVersionError extends ConfigError {
  constructor(
    readonly version: number,
    readonly supported: number,
    where?: string,
  ) {
    super(
      `trace format version ${version} is newer than this nix-cascade reads (up to ${supported}); upgrade nix-cascade to read it`,
      where,
    );
  }
}
