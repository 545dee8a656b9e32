import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';

/**
 * Reads and parses a JSON file.
 * @param what - what the file is, for the message (`scenario file`, `closure file`).
 * @throws ConfigError naming the file when it cannot be read or is not JSON.
 */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${what}: ${(err as Error).message}`, file, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`not valid JSON: ${(err as Error).message}`, file, { cause: err });
  }
}
