#!/usr/bin/env node
// Builds the native unit tests with plain CMake (kernels + tests, no addon) into
// build-native-tests/ and runs them on every ISA path this CPU supports. Extra arguments are
// passed to cmake's configure step; --sanitize (npm run test:native:asan) builds with ASan + UBSan.
'use strict';
const { execFileSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
// --sanitize builds with AddressSanitizer + UndefinedBehaviorSanitizer into its own folder.
const sanitize = process.argv.includes('--sanitize');
const extra = process.argv.slice(2).filter((a) => a !== '--sanitize');
if (sanitize) {
  extra.push('-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer');
}
const buildDir = process.env.FALTUNG_NATIVE_TEST_DIR || path.join(root, sanitize ? 'build-native-asan' : 'build-native-tests');
const run = (command, args) => execFileSync(command, args, { stdio: 'inherit', cwd: root });

try {
  run('cmake', ['-S', root, '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release', ...extra]);
  run('cmake', ['--build', buildDir, '--target', 'faltung_native_tests', '-j', String(Math.max(os.cpus().length, 1))]);
  run(path.join(buildDir, 'faltung_native_tests'), []);
} catch (error) {
  console.error(`native tests failed: ${error.message.split('\n')[0]}`);
  process.exit(1);
}
