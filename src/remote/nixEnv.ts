/**
 * Offline Nix settings for the lab and for tests, passed per process (`NIX_CONFIG`) or per lab host
 * (`NIX_CONF_DIR`), so the machine's global /etc/nix/nix.conf is never touched.
 * - no binary cache is ever contacted (`substituters =`);
 * - builds run unsandboxed as root, with no build-user group (Debian's nix-bin creates none).
 */
export const OFFLINE_NIX_SETTINGS: Readonly<Record<string, string>> = {
  'experimental-features': 'nix-command',
  substituters: '',
  sandbox: 'false',
  'build-users-group': '',
};

/** Renders settings as nix.conf text (`key = value` lines); `extra` wins over the offline defaults. */
export function nixConfText(extra: Readonly<Record<string, string>> = {}): string {
  const all = { ...OFFLINE_NIX_SETTINGS, ...extra };
  return Object.entries(all)
    .map(([k, v]) => (v === '' ? `${k} =` : `${k} = ${v}`))
    .join('\n')
    .concat('\n');
}

/** The offline settings as a `NIX_CONFIG` value for the deployer's own nix processes. */
export const OFFLINE_NIX_CONFIG: string = nixConfText();
