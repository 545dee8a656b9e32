import fc from 'fast-check';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { shellJoin, shellQuote } from '../../src/remote/quote.js';

/** Strings rich in shell metacharacters, plus arbitrary printable Unicode (no NUL, no lone surrogates). */
const nasty = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "'",
        '"',
        '\\',
        '$',
        '`',
        ' ',
        '\n',
        '\t',
        '*',
        '?',
        '!',
        ';',
        '&',
        '|',
        '-',
        '~',
        '#',
        '(',
        ')',
        '<',
        '>',
        '{',
        '}',
        '$(id)',
        "'\\''",
        '%s',
      ),
      fc.string({ unit: 'grapheme', maxLength: 4 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''))
  .filter((s) => !s.includes('\0'));

describe('shellQuote', () => {
  it('round-trips arbitrary strings through a real POSIX shell', async () => {
    await fc.assert(
      fc.asyncProperty(nasty, async (s) => {
        const r = await execa('sh', ['-c', `printf %s ${shellQuote(s)}`], { stripFinalNewline: false });
        expect(r.stdout).toBe(s);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps argument boundaries in shellJoin', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(nasty, { minLength: 1, maxLength: 5 }), async (args) => {
        const r = await execa('sh', ['-c', `printf '%s\\0' ${shellJoin(args)}`], {
          stripFinalNewline: false,
        });
        expect(r.stdout.split('\0').slice(0, -1)).toEqual(args);
      }),
      { numRuns: 40 },
    );
  });

  it('quotes the empty string and leaves safe words bare', () => {
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('/nix/store/abc-foo-1.0')).toBe('/nix/store/abc-foo-1.0');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it('refuses NUL bytes', () => {
    expect(() => shellQuote('a\0b')).toThrow(TypeError);
  });
});
