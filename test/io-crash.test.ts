// Crash safety of saving: a child process (test/fixtures/save-loop.js, run on the built dist/)
// saves versioned models into one directory in a loop and is killed with SIGKILL at random
// moments (timed from start-up or from its first finished save); after every kill the directory
// must load as exactly one whole saved version. Kills alternate between model.save and the
// modelCheckpoint callback, the two ways a model is saved.
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaltungError } from '../lib/errors';
import { loadModel } from '../lib/io/model_io';
import { TestRandom } from './helpers/random';

const FIXTURE = path.join(__dirname, 'fixtures', 'save-loop.js');
const BUILT = path.join(__dirname, '..', 'dist', 'io', 'model_io.js');
const KILLS = 50;

let dir = '';
beforeAll(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'faltung-crash-')); });
afterAll(async () => { await fs.rm(dir, { recursive: true, force: true }); });

/**
 * Runs the save loop from `firstVersion`, SIGKILLs it `delayMs` after it is ready, and returns the
 * last version it reported saved (firstVersion - 1 if none) once its output is fully read.
 */
function runAndKill(firstVersion: number, delayMs: number, mode: 'save' | 'checkpoint', after: 'ready' | 'saved'): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, dir, String(firstVersion), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    let timer: NodeJS.Timeout | null = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const armed = after === 'ready' ? output.startsWith('ready\n') : /^saved \d+$/m.test(output);
      if (timer === null && armed) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', (chunk: Buffer) => { errors += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`save loop ended by itself (code ${code}, signal ${signal}): ${errors}`));
        return;
      }
      const saved = [...output.matchAll(/^saved (\d+)$/gm)].map((m) => Number(m[1]));
      resolve(saved.length > 0 ? saved[saved.length - 1] : firstVersion - 1);
    });
  });
}

describe('saving survives SIGKILL at any moment', () => {
  it(`after each of ${KILLS} kills the directory holds exactly one whole saved version`, async () => {
    expect(existsSync(BUILT), `${BUILT} is missing: run node scripts/ensure-built.js first`).toBe(true);
    const random = new TestRandom(2024);
    let committed = 0;  // the version the directory held after the previous kill (0: none yet)
    let killsWithLitter = 0;
    for (let kill = 0; kill < KILLS; ++kill) {
      const before = new Set(await fs.readdir(dir));
      // Mostly timed from the first finished save, so versions get committed however slow the
      // machine (ASan builds); every fifth from start-up, to catch the first save into the folder.
      const lastReported = await runAndKill(committed + 1, random.int(0, 100), kill % 2 === 0 ? 'save' : 'checkpoint',
        kill % 5 === 0 ? 'ready' : 'saved');
      const committedFile = await fs.readFile(path.join(dir, 'model.json'), 'utf8').catch(() => '');
      const litter = (await fs.readdir(dir)).filter((n) => !before.has(n) && n !== 'model.json' && !committedFile.includes(n));
      if (litter.length > 0) killsWithLitter += 1;
      let model;
      try {
        model = await loadModel(dir);
      } catch (error) {
        // Acceptable only while nothing was ever committed.
        expect(committed, `kill ${kill}: ${(error as Error).message}`).toBe(0);
        expect(lastReported).toBe(0);
        expect((error as FaltungError).code).toBe('FALTUNG_MODEL_NOT_FOUND');
        continue;
      }
      const version = Number(/^version_(\d+)$/.exec(model.name)?.[1]);
      // The last reported save, or the next one if the kill came between its commit and its report.
      expect([lastReported, lastReported + 1], `kill ${kill}: loaded version ${version}`).toContain(version);
      expect(model.layers[0].outputShape).toEqual([version % 2 === 0 ? 64 : 96]);
      for (const weight of model.getWeights()) {
        const wrong = weight.data.findIndex((v) => v !== version);
        expect(wrong, `kill ${kill}: version ${version} holds ${weight.data[wrong]} at index ${wrong}`).toBe(-1);
      }
      committed = version;
    }
    expect(committed).toBeGreaterThan(0);
    // How many kills caught a save half done (left a new file model.json does not name): informative only.
    console.log(`io-crash: ${KILLS} kills, ${killsWithLitter} landed mid-save, the last committed version was ${committed}`);
  }, 240_000);
});
