// Shipping as an npm dependency: `npm pack`, then `npm install <tarball>` in a fresh project with
// a PATH that has no C++ compiler and no make; both require() and import() train a tiny model, on
// the best ISA and on the scalar/AVX2 stand-ins for older CPUs; the declarations type-check in
// ESM and CommonJS projects. Prints the tarball size, install time and installed size.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');
const fixtures = path.join(__dirname, 'fixtures', 'consumer');
let work = '';
let project = '';
let bareEnv: NodeJS.ProcessEnv = {};

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? directorySize(full) : fs.statSync(full).size;
  }
  return total;
}

// npm pack's prepack writes this platform's prebuild into the checkout; remove it afterwards
// unless it was there before (the loader prefers a prebuild over build/Release).
const prebuildDir = path.join(root, 'prebuilds');
const prebuildsExisted = fs.existsSync(prebuildDir);

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'faltung-pack-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  const tarball = path.join(work, packed[0].filename);
  // A PATH with node, npm and sh only: no compiler, no make.
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));  // npm runs scripts through sh
  const npmCli = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\nexec "${process.execPath}" "${npmCli}" "$@"\n`, { mode: 0o755 });
  bareEnv = { HOME: process.env.HOME, PATH: bin, npm_config_cache: process.env.npm_config_cache ?? path.join(os.homedir(), '.npm') };
  project = path.join(work, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  const started = Date.now();
  const install = spawnSync(path.join(bin, 'npm'), ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project, env: bareEnv, encoding: 'utf8' });
  const seconds = (Date.now() - started) / 1000;
  if (install.status !== 0) throw new Error(`npm install failed:\n${install.stdout}\n${install.stderr}`);
  const installed = directorySize(path.join(project, 'node_modules', 'faltung'));
  console.log(`package: tarball ${(fs.statSync(tarball).size / 1e6).toFixed(2)} MB, install ${seconds.toFixed(1)} s, installed faltung ${(installed / 1e6).toFixed(2)} MB`);
  fs.copyFileSync(path.join(fixtures, 'train-tiny.cjs'), path.join(project, 'train-tiny.cjs'));
  fs.copyFileSync(path.join(fixtures, 'train-tiny.mjs'), path.join(project, 'train-tiny.mjs'));
}, 600_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
  if (!prebuildsExisted) fs.rmSync(prebuildDir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships dist, prebuilds, sources and build files, and no tests, benchmarks or builds', () => {
    const files = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }))[0].files
      .map((f: { path: string }) => f.path) as string[];
    for (const needed of ['dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/index.d.mts', 'binding.gyp', 'CMakeLists.txt',
      'native/sources.js', 'native/kernels/gemm.cc', 'scripts/install.js', 'README.md', 'LICENSE', 'package.json']) {
      expect(files, needed).toContain(needed);
    }
    for (const banned of ['test/', 'bench/', 'build/', 'node_modules/', 'native/tests/', '.ci/']) {
      expect(files.filter((f) => f.startsWith(banned)), banned).toEqual([]);
    }
  });

  it('installed without a compiler: the prebuild is used, nothing was built', () => {
    const which = spawnSync('/bin/sh', ['-c', 'command -v g++ || command -v c++ || command -v make'], { env: bareEnv });
    expect(which.status).not.toBe(0);
    const installedRoot = path.join(project, 'node_modules', 'faltung');
    expect(fs.existsSync(path.join(installedRoot, 'prebuilds'))).toBe(true);
    expect(fs.existsSync(path.join(installedRoot, 'build'))).toBe(false);
    expect(directorySize(installedRoot)).toBeLessThan(10e6);
  });

  for (const isa of ['', 'scalar', 'avx2']) {
    it(`require() and import() train a tiny model${isa ? ` with FALTUNG_ISA=${isa}` : ''}`, () => {
      const env = { ...bareEnv, ...(isa ? { FALTUNG_ISA: isa } : {}) };
      for (const script of ['train-tiny.cjs', 'train-tiny.mjs']) {
        const run = spawnSync(process.execPath, [script], { cwd: project, env, encoding: 'utf8' });
        expect(run.status, run.stderr).toBe(0);
        const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
        if (isa) expect(result.isa).toBe(isa);
        expect(result.loss.every(Number.isFinite)).toBe(true);
      }
    });
  }

  for (const moduleType of ['module', 'commonjs']) {
    it(`type-checks a consumer project with "type": "${moduleType}"`, () => {
      const dir = path.join(project, `types-${moduleType}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `types-${moduleType}`, type: moduleType, private: true }));
      fs.copyFileSync(path.join(fixtures, 'types-check.ts'), path.join(dir, 'index.ts'));
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true,
          types: ['node'], typeRoots: [path.join(root, 'node_modules', '@types')] },
        files: ['index.ts'],
      }));
      const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      const check = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
      expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    });
  }
});
