#!/usr/bin/env node
// npm's install step: use the prebuilt binary for this platform when the package ships one that
// loads (no compiler, no network), otherwise build from source with node-gyp. If neither works,
// say which platform this is and what to install. FALTUNG_BUILD_FROM_SOURCE=1 forces a build.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { platformTag } = require('./platform-tag');

const root = path.join(__dirname, '..');
const tag = platformTag();
const prebuild = path.join(root, 'prebuilds', tag, 'faltung.node');

function prebuildLoads() {
  if (!fs.existsSync(prebuild)) return false;
  // Load it in a child so a broken binary cannot take this process down with it.
  const probe = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(prebuild)}).backendInfo()`], { encoding: 'utf8' });
  return probe.status === 0;
}

if (process.env.FALTUNG_BUILD_FROM_SOURCE !== '1' && prebuildLoads()) {
  console.log(`faltung: using the prebuilt binary for ${tag}`);
  process.exit(0);
}

try {
  execFileSync(process.execPath, [path.join(__dirname, 'build-native.js')], { stdio: 'inherit', cwd: root });
} catch {
  console.error(
    `\nfaltung: there is no prebuilt binary for ${tag} in this package, and building from source failed.\n` +
      'To build from source faltung needs a C++17 compiler, make and python3:\n' +
      '  Debian/Ubuntu: apt-get install build-essential python3\n' +
      '  Alpine:        apk add build-base python3\n' +
      '  macOS:         xcode-select --install\n' +
      '  Windows:       Visual Studio Build Tools with "Desktop development with C++"\n' +
      'then run `npm rebuild faltung`.',
  );
  process.exit(1);
}
