#!/usr/bin/env node
// The import graph's rules, checked by CI (madge reads the graph): no circular imports anywhere in src,
// each top-level module imports only the modules below it, nothing outside the simulator reaches into
// its internals (only src/sim/index.ts), and no source file runs over about 400 lines without saying why
// at its top (a comment line starting "Long file:").
import { readFileSync } from 'node:fs';
import madge from 'madge';

/** Module (first folder under src) → the modules it may import besides itself. */
const ALLOWED = {
  core: [],
  units: ['core'],
  topology: ['core', 'units'],
  strategies: ['core'],
  trace: ['core', 'units'],
  sim: ['core', 'units', 'topology'],
  remote: ['core', 'units'],
  fleet: ['core', 'units', 'remote'],
  lab: ['core', 'units', 'remote', 'fleet'],
  executor: ['core', 'units', 'topology', 'remote', 'fleet'],
  deploy: ['core', 'units', 'topology', 'remote', 'fleet', 'executor', 'strategies', 'trace', 'sim'],
  calibrate: ['core', 'units', 'remote', 'fleet', 'lab', 'executor', 'strategies', 'trace', 'sim'],
  cli: [
    'core',
    'units',
    'topology',
    'remote',
    'fleet',
    'lab',
    'executor',
    'deploy',
    'calibrate',
    'strategies',
    'trace',
    'sim',
  ],
};
const LONG_FILE_LINES = 420;

const res = await madge('src', { fileExtensions: ['ts'], tsConfig: 'tsconfig.json' });
const problems = [];
for (const cycle of res.circular()) problems.push(`circular import: ${cycle.join(' -> ')}`);
const moduleOf = (file) => file.split('/')[0];
for (const [file, deps] of Object.entries(res.obj())) {
  const from = moduleOf(file);
  const allowed = ALLOWED[from];
  if (allowed === undefined) {
    if (file.includes('/'))
      problems.push(`${file}: module "${from}" has no layer rule in scripts/check-layers.mjs`);
    continue;
  }
  for (const dep of deps) {
    const to = moduleOf(dep);
    if (to === from) continue;
    if (!allowed.includes(to))
      problems.push(
        `${file} imports ${dep}: "${from}" may import only ${allowed.join(', ') || 'nothing'} outside itself`,
      );
    else if (to === 'sim' && dep !== 'sim/index.ts')
      problems.push(`${file} imports the simulator's internal ${dep}: use src/sim/index.ts`);
  }
  const text = readFileSync(`src/${file}`, 'utf8');
  const lines = text.split('\n').length;
  if (
    lines > LONG_FILE_LINES &&
    !/^\s*(\/\/|\*|\/\*\*?)\s*Long file:/m.test(text.split('\n').slice(0, 30).join('\n'))
  ) {
    problems.push(
      `${file}: ${lines} lines; split it along its seams, or say at its top why not ("Long file: …")`,
    );
  }
}
if (problems.length > 0) {
  console.error(`check-layers: ${problems.length} problem(s)\n${problems.map((p) => `- ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`check-layers: ${Object.keys(res.obj()).length} files, no cycles, every import within its layer`);
