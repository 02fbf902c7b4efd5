#!/usr/bin/env node
// `npm run prebuild` (and npm pack's prepack): builds the addon and the TypeScript if needed and
// puts this platform's binary, symbols stripped, in prebuilds/<platform-tag>/faltung.node. A
// release pipeline runs it on each platform (linux-x64, linux-arm64, musl, darwin, win32) and
// collects the prebuilds/ folders before `npm publish`.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { platformTag } = require('./platform-tag');

const root = path.join(__dirname, '..');
// Progress goes to stderr: `npm pack --json` prints its JSON on stdout.
execFileSync(process.execPath, [path.join(__dirname, 'ensure-built.js')], { stdio: ['ignore', process.stderr, 'inherit'], cwd: root });
const built = path.join(root, 'build', 'Release', 'faltung.node');
const target = path.join(root, 'prebuilds', platformTag(), 'faltung.node');
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.copyFileSync(built, target);
if (process.platform !== 'win32') {
  const strip = spawnSync('strip', [process.platform === 'darwin' ? '-x' : '--strip-unneeded', target]);
  if (strip.status !== 0) console.error('prebuild: strip is not available; the prebuild keeps its symbols');
}
console.error(`prebuild: ${path.relative(root, target)} (${(fs.statSync(target).size / 1024).toFixed(0)} KiB)`);
