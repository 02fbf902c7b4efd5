// The README's quick start must run as written. This test takes the code block from README.md,
// swaps the package name for the local build and shrinks only the data and epochs (so it runs in
// seconds), then executes it as an ES module in a fresh Node process.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, it } from 'vitest';

it('runs the README quick start', () => {
  const root = path.join(__dirname, '..');
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const block = readme.split('## Quick start')[1].match(/```js\n([\s\S]*?)```/);
  expect(block, 'a js code block under "Quick start"').not.toBeNull();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faltung-readme-'));
  const source = block![1]
    .replace("from 'faltung'", `from ${JSON.stringify(path.join(root, 'dist', 'index.mjs'))}`)
    .replace('fg.datasets.mnist()', 'fg.datasets.mnist({ limit: { train: 1000, test: 200 } })')
    .replace('epochs: 3', 'epochs: 1')
    .replace("'./my-model'", JSON.stringify(path.join(dir, 'my-model')));
  expect(source).toContain('limit');
  const file = path.join(dir, 'quickstart.mjs');
  fs.writeFileSync(file, source);
  const result = spawnSync(process.execPath, [file], { encoding: 'utf8', cwd: dir });
  if (result.status !== 0) console.error(result.stdout, result.stderr);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('Total params: 34,826');
  expect(result.stdout).toMatch(/accuracy: 0\.\d+/);
  expect(fs.existsSync(path.join(dir, 'my-model', 'model.json'))).toBe(true);
  fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);
