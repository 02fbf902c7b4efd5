#!/usr/bin/env node
// `npm run bench`: builds what is missing, then runs every benchmark in bench/ in its own process
// (so one's memory and thread state cannot colour the next) and prints their tables in turn.
// The comparison with other libraries (peers.bench.js, ~17 minutes) has its own command,
// `npm run bench:peers`, and runs here only when named: `npm run bench -- peers`.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
execFileSync(process.execPath, [path.join(root, 'scripts', 'ensure-built.js')], { stdio: 'inherit', cwd: root });
const benches = fs.readdirSync(__dirname).filter((name) => name.endsWith('.bench.js')).sort();
const only = process.argv.slice(2);
const SEPARATE = ['peers.bench.js'];
for (const bench of benches) {
  if (only.length > 0 ? !only.some((name) => bench.includes(name)) : SEPARATE.includes(bench)) continue;
  console.log(`\n=== ${bench}`);
  execFileSync(process.execPath, [path.join(__dirname, bench)], { stdio: 'inherit', cwd: root });
}
