/**
 * Activation commands as NixOS and nix-darwin run them, built as argument arrays (never shell strings
 * with a path in them), and the reading of what a host runs.
 */
import { describe, expect, it } from 'vitest';
import { activationArgs, parseCurrentSystem, SYSTEM_PROFILE } from '../../src/deploy/activate.js';
import { activationOf, copies, parseDeployAction, setsProfile } from '../../src/deploy/actions.js';
import { ConfigError } from '../../src/core/errors.js';
import type { RealHost } from '../../src/fleet/realFleet.js';

const TOP = '/nix/store/0f5374m24ywvwsffg97jb5krm660zkwl-nixos-system-web-01';
const host = (over: Partial<RealHost> = {}): RealHost => ({
  id: 'web-01',
  address: '10.0.0.1',
  user: 'root',
  port: 22,
  options: [],
  tags: [],
  system: 'x86_64-linux',
  profileType: 'nixos',
  buildOnTarget: false,
  privilegeEscalationCommand: [],
  replaceUnknownProfiles: true,
  allowLocalDeployment: false,
  keys: [],
  healthChecks: [],
  ...over,
});

describe('actions', () => {
  it('each action copies, sets the profile and activates as its name says', () => {
    expect(
      ['switch', 'boot', 'test', 'dry-activate', 'build', 'push'].map((a) => copies(parseDeployAction(a))),
    ).toEqual([true, true, true, true, false, true]);
    expect(activationOf('build')).toBeUndefined();
    expect(activationOf('push')).toBeUndefined();
    expect(['switch', 'boot', 'test', 'dry-activate'].map((a) => setsProfile(a as 'switch'))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(() => parseDeployAction('apply')).toThrow(ConfigError);
  });
});

describe('activationArgs', () => {
  it('NixOS switch and boot set the system profile, then run switch-to-configuration ACTION; the path is an argument', () => {
    for (const action of ['switch', 'boot'] as const) {
      const args = activationArgs(host(), TOP, action)!;
      expect(args.slice(0, 2)).toEqual(['sh', '-c']);
      expect(args[2]).toContain('nix-env -p "$1" --set "$2"');
      expect(args[2]).toContain('"$2/bin/switch-to-configuration" "$3"');
      expect(args[2]).not.toContain(TOP); // the script is a constant
      expect(args.slice(3)).toEqual(['sh', SYSTEM_PROFILE, TOP, action, '']);
    }
  });

  it('NixOS test and dry-activate only run the script', () => {
    for (const action of ['test', 'dry-activate'] as const) {
      const args = activationArgs(host(), TOP, action)!;
      expect(args[2]).not.toContain('nix-env');
      expect(args.slice(3)).toEqual(['sh', TOP, action, '']);
    }
  });

  it('a non-root user goes through the privilege-escalation command', () => {
    const args = activationArgs(
      host({ user: 'deploy', privilegeEscalationCommand: ['sudo', '-H', '--'] }),
      TOP,
      'switch',
    )!;
    expect(args.slice(0, 5)).toEqual(['sudo', '-H', '--', 'sh', '-c']);
  });

  it('nix-darwin sets the profile and runs activate; boot only sets it; it has no dry-activate', () => {
    const darwin = host({ profileType: 'nix-darwin' });
    expect(activationArgs(darwin, TOP, 'switch')!.slice(3)).toEqual([
      'sh',
      SYSTEM_PROFILE,
      TOP,
      'set',
      'activate',
      '',
    ]);
    expect(activationArgs(darwin, TOP, 'boot')!.slice(3)).toEqual([
      'sh',
      SYSTEM_PROFILE,
      TOP,
      'set',
      'no',
      '',
    ]);
    expect(activationArgs(darwin, TOP, 'test')!.slice(3)).toEqual([
      'sh',
      SYSTEM_PROFILE,
      TOP,
      'keep',
      'activate',
      '',
    ]);
    expect(activationArgs(darwin, TOP, 'dry-activate')).toBeUndefined();
  });
});

describe('parseCurrentSystem', () => {
  it('reads the profile, the running system and the boot id; anything outside the store is absent', () => {
    expect(parseCurrentSystem(`${TOP}\n@@\n${TOP}\n@@\nb00t\n`)).toEqual({
      profile: TOP,
      running: TOP,
      bootId: 'b00t',
    });
    expect(parseCurrentSystem('\n@@\n\n@@\n\n')).toEqual({
      profile: undefined,
      running: undefined,
      bootId: undefined,
    });
    expect(parseCurrentSystem('/etc/oops\n@@\n/tmp/x\n@@\n')).toMatchObject({
      profile: undefined,
      running: undefined,
    });
  });
});
