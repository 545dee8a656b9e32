import { ConfigError } from '../core/errors.js';

/**
 * Validation of everything that ends up on a command line: host addresses, user names, ports, store
 * paths, ssh option words. Checked once, before any process starts; a bad value is a ConfigError naming
 * the field.
 */

/** A DNS name or IPv4 address (letters, digits, `-`, `.`), at most 253 characters. */
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
/** An IPv6 address: hex digits, colons, dots (embedded IPv4); no zone id. */
const IPV6 = /^(?=.*:)[0-9A-Fa-f:.]{2,45}$/;
/** POSIX-portable user names. */
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
/**
 * A store path: `/nix/store/`, 32 characters of Nix's base-32 alphabet (no e, o, u, t), a dash and a name.
 * Names never start with a dot.
 */
export const STORE_PATH = /^\/nix\/store\/[0-9a-df-np-sv-z]{32}-[A-Za-z0-9+_?=-][A-Za-z0-9+._?=-]*$/;

/** @returns the address, unchanged. @throws ConfigError when it is not a hostname, IPv4 or IPv6 address. */
export function validateAddress(address: string, where: string): string {
  if (typeof address !== 'string' || !(HOSTNAME.test(address) || IPV6.test(address))) {
    throw new ConfigError(`not a valid host name or IP address: ${JSON.stringify(address)}`, where);
  }
  return address;
}

/** @returns the user name. @throws ConfigError otherwise. */
export function validateUser(user: string, where: string): string {
  if (typeof user !== 'string' || !USER.test(user)) {
    throw new ConfigError(`not a valid user name: ${JSON.stringify(user)}`, where);
  }
  return user;
}

/** @returns the port. @throws ConfigError unless an integer in 1..65535. */
export function validatePort(port: number, where: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`port must be an integer in 1..65535, got ${String(port)}`, where);
  }
  return port;
}

/** @returns the store path. @throws ConfigError when it is not a well-formed `/nix/store/<hash>-<name>`. */
export function validateStorePath(path: string, where: string): string {
  if (typeof path !== 'string' || path.length > 211 + 44 || !STORE_PATH.test(path)) {
    throw new ConfigError(`not a valid store path: ${JSON.stringify(path)}`, where);
  }
  return path;
}

/**
 * A file name handed to ssh (`-i`, `UserKnownHostsFile`): absolute, no whitespace or control characters
 * (ssh splits option values on whitespace), no `%` tokens, which ssh would expand.
 */
export function validateFilePath(path: string, where: string): string {
  // eslint-disable-next-line no-control-regex
  if (typeof path !== 'string' || !path.startsWith('/') || /[\s\x00-\x1f\x7f%"']/.test(path)) {
    throw new ConfigError(
      `must be an absolute file path without spaces, quotes or %: ${JSON.stringify(path)}`,
      where,
    );
  }
  return path;
}

/**
 * Options refused in a fleet file, lower case: they run commands or load code (also on every sender, via
 * `NIX_SSHOPTS`), change where or as whom ssh connects (the fleet's checked `address`, `user` and `port`
 * say that), open forwards or tunnels, or would turn host-key checking off behind the explicit option.
 */
const REFUSED_SSH_OPTIONS = new Set([
  'proxycommand',
  'proxyjump',
  'localcommand',
  'permitlocalcommand',
  'knownhostscommand',
  'remotecommand',
  'pkcs11provider',
  'securitykeyprovider',
  'hostname',
  'user',
  'port',
  'include',
  'match',
  'localforward',
  'remoteforward',
  'dynamicforward',
  'tunnel',
  'tunneldevice',
  'stricthostkeychecking',
]);

/**
 * An extra ssh option in `Key=Value` form (passed as `-o Key=Value`). The options in
 * {@link REFUSED_SSH_OPTIONS} are refused: they would defeat the validation of everything else.
 */
export function validateSshOption(option: string, where: string): string {
  if (typeof option !== 'string' || !/^[A-Za-z][A-Za-z0-9]*=[A-Za-z0-9_.,:@/+=-]+$/.test(option)) {
    throw new ConfigError(
      `ssh option must look like Key=Value (no spaces or quotes): ${JSON.stringify(option)}`,
      where,
    );
  }
  const key = option.slice(0, option.indexOf('=')).toLowerCase();
  if (REFUSED_SSH_OPTIONS.has(key)) {
    throw new ConfigError(
      `ssh option ${key} is not allowed here (it runs code, redirects the connection or forwards ports; ` +
        'set address, user and port as node fields, and host-key checking with --no-strict-host-keys)',
      where,
    );
  }
  return option;
}
