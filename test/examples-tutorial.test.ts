// The tutorial examples (examples/tutorial/*.js) run as users run them, each in a fresh Node process
// against the built package (dist/, through the package's own name), in their quick mode; their
// printed numbers are checked against computations done here, so none of them rots.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faltung-tutorial-test-'));
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

function runExample(name: string): string {
  const result = spawnSync(process.execPath, [path.join(root, 'examples', 'tutorial', name), outDir], {
    encoding: 'utf8', cwd: root, env: { ...process.env, FALTUNG_TUTORIAL_QUICK: '1' }, timeout: 120_000,
  });
  if (result.status !== 0) console.error(result.stdout, result.stderr);
  expect(result.status).toBe(0);
  return result.stdout;
}

/** The grid of numbers printed under `title` (rows of space-separated decimals). */
function printedGrid(stdout: string, title: string, rows: number): number[][] {
  const lines = stdout.split('\n');
  const start = lines.indexOf(title);
  expect(start, `"${title}" in the output`).toBeGreaterThanOrEqual(0);
  return lines.slice(start + 1, start + 1 + rows).map((line) => line.trim().split(/\s+/).map(Number));
}

async function pngSize(file: string): Promise<[number, number]> {
  const meta = await sharp(file).metadata();
  return [meta.width!, meta.height!];
}

const parse = (rows: string[]): number[] => rows.flatMap((row) => [...row].map((c) => (c === '#' ? 1 : -1)));
const X = parse(['.........', '.#.....#.', '..#...#..', '...#.#...', '....#....', '...#.#...', '..#...#..', '.#.....#.', '.........']);
const DIAGONAL = parse(['#..', '.#.', '..#']);

describe('tutorial examples', () => {
  it('filter-x-o.js: each printed map is the patch-feature product sum divided by 9', async () => {
    const stdout = runExample('filter-x-o.js');
    const map = printedGrid(stdout, 'X, feature diagonal \\:', 7);
    for (let r = 0; r < 7; ++r) {
      for (let c = 0; c < 7; ++c) {
        let sum = 0;
        for (let i = 0; i < 3; ++i) for (let j = 0; j < 3; ++j) sum += X[(r + i) * 9 + c + j] * DIAGONAL[i * 3 + j];
        expect(map[r][c]).toBeCloseTo(sum / 9, 2);
      }
    }
    expect(map[0][0]).toBe(0.78);   // 7 of 9 pixels agree: (7 - 2) / 9
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => map[i][i])).toEqual([0.78, 1, 1, 0.56, 1, 1, 0.78]);
    expect(stdout).toContain('X: best match per feature 1.00, 1.00, 1.00');
    // The O's corners are short diagonals, but it has no crossing: the small x never matches fully.
    expect(stdout).toContain('O: best match per feature 1.00, 0.56, 1.00');
    for (const name of ['filter-X.png', 'filter-O.png']) {
      const [width, height] = await pngSize(path.join(outDir, name));
      expect(width).toBeGreaterThan(3 * 63);
      expect(height).toBeGreaterThan(2 * 63);
    }
  });

  it('pooling-relu.js: ReLU zeroes the negatives, 2x2 max pooling keeps each window maximum', () => {
    const stdout = runExample('pooling-relu.js');
    const map = printedGrid(stdout, 'map (7x7):', 7);
    const relu = printedGrid(stdout, 'after relu (7x7):', 7);
    const pooled = printedGrid(stdout, 'after max_pooling (4x4):', 4);
    expect(relu).toEqual(map.map((row) => row.map((v) => Math.max(0, v))));
    for (let r = 0; r < 4; ++r) {
      for (let c = 0; c < 4; ++c) {
        const window = [0, 1].flatMap((i) => [0, 1].map((j) => relu[2 * r + i]?.[2 * c + j]).filter((v) => v !== undefined)) as number[];
        expect(pooled[r][c]).toBe(Math.max(...window));
      }
    }
  });

  it('feature-maps.js: one conv layer makes a stack of 8 maps, ReLU and pooling follow', async () => {
    const stdout = runExample('feature-maps.js');
    expect(stdout).toMatch(/^edges: \[26, 26, 8\]/m);
    expect(stdout).toMatch(/^relu: \[26, 26, 8\]/m);
    expect(stdout).toMatch(/^pooling: \[13, 13, 8\]/m);
    const [width, height] = await pngSize(path.join(outDir, 'feature-maps.png'));
    expect(width).toBeGreaterThan(8 * 52);
    expect(height).toBeGreaterThan(4 * 52);
  });

  it('mnist-full.js (quick mode): trains, evaluates and writes every picture, the report and the model', () => {
    const stdout = runExample('mnist-full.js');
    expect(stdout).toContain('Total params: 34,826');
    const accuracy = Number(/Test accuracy: ([\d.]+)%/.exec(stdout)![1]);
    expect(accuracy).toBeGreaterThan(70);
    for (const name of ['mnist-curves.png', 'mnist-filters.png', 'mnist-feature-maps.png', 'mnist-votes.png', 'mnist-report.html', 'mnist-model/model.json']) {
      expect(fs.existsSync(path.join(outDir, name)), name).toBe(true);
    }
    expect(fs.readFileSync(path.join(outDir, 'mnist-report.html'), 'utf8')).toContain('id="confusion-matrix"');
  });

  it('learning-rates.js (quick mode): the good rate ends far below the too-small and too-large ones', async () => {
    const stdout = runExample('learning-rates.js');
    const final = (name: string): number => Number(new RegExp(`^${name.replace(/[()]/g, '\\$&')}: .*-> ([\\d.]+|NaN)$`, 'm').exec(stdout)![1]);
    const good = final('about right (0.1)');
    expect(good).toBeLessThan(1.5);
    expect(final('too small (0.0005)')).toBeGreaterThan(good + 0.5);
    const large = final('too large (2.5)');
    expect(Number.isNaN(large) || large > good + 0.5).toBe(true);
    const [width] = await pngSize(path.join(outDir, 'learning-rates.png'));
    expect(width).toBe(640);
  });
});
