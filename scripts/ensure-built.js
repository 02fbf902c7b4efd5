#!/usr/bin/env node
// Before the tests: make sure the addon and dist/ exist (a clone whose install skipped scripts,
// or one where sources changed). Builds only what is missing or older than its sources.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function newestMtime(folder, extensions) {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (extensions.some((ext) => entry.name.endsWith(ext))) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  walk(path.join(root, folder));
  return newest;
}

function mtime(file) {
  try { return fs.statSync(path.join(root, file)).mtimeMs; } catch { return -1; }
}

const addon = 'build/Release/faltung.node';
const nativeSources = Math.max(newestMtime('native', ['.cc', '.h', '.js']), mtime('binding.gyp'));
if (mtime(addon) < nativeSources) {
  console.log('ensure-built: building the addon (node-gyp)');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-native.js')], { stdio: 'inherit', cwd: root });
  // The loader prefers a prebuild: one left from an earlier `npm pack` is now stale, remove it.
  const { platformTag } = require('./platform-tag');
  fs.rmSync(path.join(root, 'prebuilds', platformTag()), { recursive: true, force: true });
}
if (mtime('dist/index.js') < newestMtime('lib', ['.ts'])) {
  console.log('ensure-built: compiling TypeScript');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-ts.js')], { stdio: 'inherit', cwd: root });
}
