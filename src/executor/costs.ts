/**
 * The fixed wall time one real copy costs on top of moving its bytes, measured on the lab (Nix 2.8,
 * OpenSSH 9.2, curve25519 key exchange, a tiny store path, 2-core machine, idle). Simulators can charge it
 * per transfer so that path-level strategies, which run many small copies, are predicted honestly.
 * `bench/lab.ts` measures it again on every run (`setupSeconds` in bench/results/lab.json), since it grows
 * with machine load.
 *
 * Where the time goes (deployer → host, no multiplexing, ≈0.37 s): local `nix` start ≈0.09 s; ssh
 * connection (TCP, key exchange, public-key login, remote shell) ≈0.20 s; remote `nix-daemon --stdio`
 * start and protocol handshake ≈0.05 s; `queryValidPaths`, the NAR stream and the sqlite registration of
 * one tiny path ≈0.03-0.07 s. A peer copy (`ssh A -- nix copy --to ssh-ng://B`, ≈0.55 s) pays two ssh
 * connections (deployer → A, A → B), the remote shell and watchdog on A, `nix` on A and the daemon on B.
 * Connection multiplexing (the executor's default) removes the key exchange and login of every copy but
 * the first per host pair.
 */
export interface CopySetupCost {
  /** Seconds per deployer → host copy. */
  readonly deployer: number;
  /** Seconds per host → host copy. */
  readonly peer: number;
}

/** Measured fixed cost per copy with ssh multiplexing (the default), after the first copy per host pair. */
export const COPY_SETUP_SECONDS: CopySetupCost = { deployer: 0.18, peer: 0.24 };

/** Measured fixed cost per copy without multiplexing (`multiplex: false`), and of a pair's first copy. */
export const COPY_SETUP_SECONDS_UNMULTIPLEXED: CopySetupCost = { deployer: 0.37, peer: 0.55 };
