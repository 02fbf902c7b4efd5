#!/usr/bin/env node
// npm run test:asan: builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer into
// build-asan/ (plain CMake against the local Node headers, offline; the normal build/ is untouched),
// runs the native unit tests under both,
// then the whole vitest suite against that addon, and fails if any process wrote a sanitizer report.
// The Node binary itself is not instrumented, so the ASan runtime is preloaded (LD_PRELOAD).
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const buildDir = path.join(root, 'build-asan');
const reportDir = path.join(buildDir, 'reports');
const QUARANTINE_MB = 64;
const sanitizerFlags = '-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g';

function fail(message) {
  console.error(`test:asan: ${message}`);
  process.exit(1);
}

/** The shared ASan runtime of the compiler that builds the addon; it must be loaded before anything else. */
function asanRuntime() {
  if (process.platform !== 'linux') fail('LD_PRELOAD of the ASan runtime is only set up for Linux.');
  let library = '';
  try {
    library = execFileSync(process.env.CXX || 'g++', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
  } catch {
    fail('no C++ compiler found (g++ or $CXX).');
  }
  if (!path.isAbsolute(library) || !fs.existsSync(library)) {
    fail(`the compiler has no shared ASan runtime (got '${library}'); on Debian: apt-get install libasan8 (gcc) or libclang-rt-dev (clang).`);
  }
  return fs.realpathSync(library);
}

/** Node's own headers beside the running binary, as scripts/build-native.js uses them. */
function nodeIncludeDir() {
  const include = path.resolve(path.dirname(process.execPath), '..', 'include', 'node');
  if (!fs.existsSync(path.join(include, 'node_api.h'))) fail(`Node's headers are not installed at ${include}.`);
  return include;
}

/** The addon and the native unit tests, both instrumented, in one CMake build. */
function buildInstrumented() {
  const run = (args) => execFileSync('cmake', args, { stdio: 'inherit', cwd: root });
  run(['-S', root, '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release', `-DCMAKE_JS_INC=${nodeIncludeDir()}`,
    `-DCMAKE_CXX_FLAGS=${sanitizerFlags}`, '-DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=address,undefined']);
  run(['--build', buildDir, '--target', 'faltung', 'faltung_native_tests', '-j', String(Math.max(os.cpus().length, 1))]);
  const addon = path.join(buildDir, 'faltung.node');
  if (!fs.existsSync(addon)) fail(`the sanitizer build did not produce ${addon}`);
  return addon;
}

// Tools the suite runs (espeak-ng, sox, chromium, compilers, apt-get) are not ours and some hang
// or misbehave with the ASan runtime preloaded: shims first on PATH start the real tool (the next
// one on PATH) without LD_PRELOAD, so nothing it starts has it either. Node processes, started by
// absolute path, keep it. Only tools present now get a shim, so `command -v` stays truthful.
const EXTERNAL_TOOLS = ['espeak-ng', 'sox', 'chromium', 'chromium-browser', 'google-chrome', 'apt-get', 'g++', 'c++',
  'gcc', 'cc', 'make', 'cmake', 'python3', 'mkfifo', 'sh'];

function installed(tool) {
  return spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

function writeToolShims() {
  const shims = path.join(buildDir, 'shims');
  fs.rmSync(shims, { recursive: true, force: true });
  fs.mkdirSync(shims, { recursive: true });
  for (const tool of EXTERNAL_TOOLS.filter(installed)) {
    const script = [
      '#!/bin/dash',
      'unset LD_PRELOAD',
      'IFS=:',
      'for dir in $PATH; do',
      `  [ "$dir" = "${shims}" ] && continue`,
      `  [ -x "$dir/${tool}" ] && exec "$dir/${tool}" "$@"`,
      'done',
      `echo "${tool}: not found" >&2`,
      'exit 127',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(shims, tool), script, { mode: 0o755 });
  }
  return shims;
}

function reportsWritten() {
  return fs.existsSync(reportDir) ? fs.readdirSync(reportDir).map((name) => path.join(reportDir, name)) : [];
}

const runtime = asanRuntime();
execFileSync(process.execPath, [path.join(root, 'scripts', 'ensure-built.js')], { stdio: 'inherit', cwd: root });
const addon = buildInstrumented();
// The native unit tests loop over every ISA path this CPU supports themselves.
execFileSync(path.join(buildDir, 'faltung_native_tests'), [], { stdio: 'inherit', cwd: root });
fs.rmSync(reportDir, { recursive: true, force: true });
fs.mkdirSync(reportDir, { recursive: true });

// Every process the suite starts (vitest workers, CLI children, workers) inherits these, so each
// one loads the instrumented addon and writes any report to its own file under reportDir.
// Leak checking is off: V8 and Node keep allocations alive until exit by design.
const env = {
  ...process.env,
  PATH: `${writeToolShims()}:${process.env.PATH}`,
  FALTUNG_ADDON_PATH: addon,
  LD_PRELOAD: runtime,
  // A bounded quarantine of freed memory (ASan's default holds 256 MB); test/leak.test.ts allows
  // for it when FALTUNG_ASAN_QUARANTINE_MB says how much it is.
  ASAN_OPTIONS: `detect_leaks=0:abort_on_error=1:quarantine_size_mb=${QUARANTINE_MB}:log_path=${path.join(reportDir, 'asan')}`,
  FALTUNG_ASAN_QUARANTINE_MB: String(QUARANTINE_MB),
  UBSAN_OPTIONS: `print_stacktrace=1:halt_on_error=1:log_path=${path.join(reportDir, 'ubsan')}`,
};
const vitest = path.join(path.dirname(require.resolve('vitest/package.json', { paths: [root] })), 'vitest.mjs');
const started = Date.now();
const result = spawnSync(process.execPath, [vitest, 'run', ...process.argv.slice(2)], { stdio: 'inherit', cwd: root, env });
const minutes = ((Date.now() - started) / 60000).toFixed(1);

const reports = reportsWritten();
for (const report of reports) {
  console.error(`\n==== ${path.relative(root, report)} ====\n${fs.readFileSync(report, 'utf8')}`);
}
if (reports.length > 0) fail(`${reports.length} sanitizer report(s), listed above.`);
if (result.status !== 0) fail(`vitest failed under the sanitizers (exit ${result.status ?? result.signal}, ${minutes} min).`);
console.log(`test:asan: ${process.argv.length > 2 ? 'the selected tests' : 'the whole suite'} passed against the ASan+UBSan addon with no sanitizer report (${minutes} min, ${os.cpus().length} CPUs).`);
