#!/usr/bin/env node
// The one list of native sources, read by binding.gyp (node-gyp) and CMakeLists.txt (cmake-js):
// `node native/sources.js <group>` prints the group's files, one per line, relative to the
// package root. Groups are folders, so a new kernel file needs no edit to either build file.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const groups = {
  // Portable kernels, the run-time machinery, the scalar ISA path and the whole-network executor:
  // compiled with base flags.
  core: ['native/runtime', 'native/kernels', 'native/kernels/arch/scalar', 'native/network'],
  // One group per ISA, each compiled with its own flags and chosen at run time.
  avx2: ['native/kernels/arch/x86_avx2'],
  avx512: ['native/kernels/arch/x86_avx512'],
  neon: ['native/kernels/arch/arm_neon'],
  // The only code that includes napi.h.
  binding: ['native/binding'],
  // C++ unit tests of the kernels (CMake build only).
  tests: ['native/tests'],
};

function list(group) {
  const folders = groups[group];
  if (!folders) {
    throw new Error(`native/sources.js: unknown group '${group}' (known: ${Object.keys(groups).join(', ')})`);
  }
  const root = path.join(__dirname, '..');
  return folders.flatMap((folder) => {
    const absolute = path.join(root, folder);
    if (!fs.existsSync(absolute)) return [];
    return fs.readdirSync(absolute)
      .filter((name) => name.endsWith('.cc'))
      .sort()
      .map((name) => `${folder}/${name}`);
  });
}

if (require.main === module) {
  process.stdout.write(list(process.argv[2]).join('\n') + '\n');
}

module.exports = { list, groups };
