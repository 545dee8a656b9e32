#!/usr/bin/env node
// Runs the compiled CLI (dist/, written by `npm run build`) when it is newer than every source file, so
// a run does not pay the TypeScript loader; otherwise the sources through tsx's loader, so the package
// needs no build step and a stale build is never run.
import { fileURLToPath, pathToFileURL, URL } from 'node:url';
import { freshBuild } from './entry.js';

const built = freshBuild(fileURLToPath(new URL('..', import.meta.url)));
if (built !== undefined) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
