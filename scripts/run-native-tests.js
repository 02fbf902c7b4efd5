#!/usr/bin/env node
// Builds the native unit tests with plain CMake (kernels + tests, no addon) into
// build-native-tests/ and runs them on every ISA path this CPU supports. Extra arguments are
// passed to cmake's configure step (e.g. -DCMAKE_CXX_FLAGS=-fsanitize=address).
'use strict';
const { execFileSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const buildDir = process.env.FALTUNG_NATIVE_TEST_DIR || path.join(root, 'build-native-tests');
const run = (command, args) => execFileSync(command, args, { stdio: 'inherit', cwd: root });

try {
  run('cmake', ['-S', root, '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release', ...process.argv.slice(2)]);
  run('cmake', ['--build', buildDir, '--target', 'faltung_native_tests', '-j', String(Math.max(os.cpus().length, 1))]);
  run(path.join(buildDir, 'faltung_native_tests'), []);
} catch (error) {
  console.error(`native tests failed: ${error.message.split('\n')[0]}`);
  process.exit(1);
}
