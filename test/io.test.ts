// Saving and loading models: round trips (weights, predictions, training config) for a conv model
// and a batch-norm + dropout model, and a clear FaltungError for every kind of damaged directory.
// Crash safety is tested separately (io-crash.test.ts) because it needs a child process.
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { FaltungError } from '../lib/errors';
import { loadModel, saveModel } from '../lib/io/model_io';
import type { Sequential } from '../lib/model';
import { TestRandom } from './helpers/random';

let root = '';
let counter = 0;
beforeAll(async () => { root = await fs.mkdtemp(path.join(os.tmpdir(), 'faltung-io-')); });
afterAll(async () => { await fs.rm(root, { recursive: true, force: true }); });
const freshDir = (): string => path.join(root, `model-${counter++}`);

function convModel(): Sequential {
  const model = fg.sequential([
    fg.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu' }),
    fg.layers.maxPooling2d({ poolSize: 2 }),
    fg.layers.flatten(),
    fg.layers.dense({ units: 4, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: fg.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function batchNormModel(): Sequential {
  const model = fg.sequential({
    name: 'bn_model',
    layers: [
      fg.layers.input({ shape: [5] }),
      fg.layers.dense({ units: 8, activation: 'relu' }),
      fg.layers.batchNormalization(),
      fg.layers.dropout({ rate: 0.3 }),
      fg.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: fg.optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

function classificationData(count: number, inputShape: number[], classes: number, seed: number, sparse = false): { x: fg.Tensor; y: fg.Tensor } {
  const random = new TestRandom(seed);
  const size = inputShape.reduce((a, b) => a * b, 1);
  const labels = Array.from({ length: count }, () => random.int(0, classes - 1));
  return {
    x: fg.tensor(random.floats(count * size), [count, ...inputShape]),
    y: sparse ? fg.tensor(Float32Array.from(labels), [count]) : fg.oneHot(labels, classes),
  };
}

function expectSameWeights(actual: Sequential, expected: Sequential): void {
  const a = actual.getWeights();
  const b = expected.getWeights();
  expect(a.length).toBe(b.length);
  a.forEach((tensor, i) => {
    expect(tensor.shape).toEqual(b[i].shape);
    expect(Buffer.from(tensor.data.buffer).equals(Buffer.from(b[i].data.buffer))).toBe(true);
  });
}

async function loadError(dir: string): Promise<FaltungError> {
  const error = await loadModel(dir).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(FaltungError);
  return error as FaltungError;
}

describe('save and load round trip', () => {
  it('a trained conv model loads with identical weights, predictions and config', async () => {
    fg.setSeed(11);
    const model = convModel();
    const { x, y } = classificationData(24, [6, 6, 2], 4, 1);
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const dir = freshDir();
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    expectSameWeights(loaded, model);
    expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(model.predict(x).data));
    expect(loaded.name).toBe(model.name);
    expect(loaded.inputShape).toEqual([6, 6, 2]);
    expect(loaded.layers.map((l) => [l.getClassName(), l.getConfig()])).toEqual(model.layers.map((l) => [l.getClassName(), l.getConfig()]));
    expect(loaded.loss).toBe('categoricalCrossentropy');
    expect(loaded.metrics).toEqual(['accuracy']);
    expect(loaded.optimizer!.getClassName()).toBe('Adam');
    expect(loaded.optimizer!.getConfig()).toEqual(model.optimizer!.getConfig());
    expect(await loaded.evaluate(x, y)).toEqual(await model.evaluate(x, y));
  });

  it('a batch-norm + dropout model keeps its moving statistics and predicts identically', async () => {
    fg.setSeed(12);
    const model = batchNormModel();
    const { x, y } = classificationData(32, [5], 3, 2, true);
    await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
    const movingMean = model.layers[1].weights[2];
    expect(movingMean.name).toMatch(/moving_mean/);
    expect(Array.from(movingMean.data).some((v) => v !== 0)).toBe(true);  // training changed it
    const dir = freshDir();
    await model.save(dir);  // the Sequential method delegates to saveModel
    const loaded = await loadModel(dir);
    expect(loaded.name).toBe('bn_model');
    expectSameWeights(loaded, model);
    expect(Array.from((await loaded.predictAsync(x)).data)).toEqual(Array.from(model.predict(x).data));
    expect(loaded.optimizer!.getConfig()).toEqual(model.optimizer!.getConfig());
  });

  it('a loaded model continues training from the saved weights', async () => {
    fg.setSeed(13);
    const model = batchNormModel();
    const { x, y } = classificationData(32, [5], 3, 3, true);
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const dir = freshDir();
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    const before = loaded.getWeights();
    const history = await loaded.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    expect(history.loss.length).toBe(2);
    expect(history.loss.every(Number.isFinite)).toBe(true);
    expect(loaded.getWeights().some((w, i) => w.data.some((v, j) => v !== before[i].data[j]))).toBe(true);
  });

  it('an uncompiled model saves without training config and loads uncompiled', async () => {
    const model = fg.sequential([fg.layers.dense({ inputShape: [3], units: 2 })]);
    const dir = freshDir();
    await saveModel(model, dir);
    const saved = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(saved.trainingConfig).toBeNull();
    const loaded = await loadModel(dir);
    expect(loaded.optimizer).toBeNull();
    expectSameWeights(loaded, model);
  });

  it('model.json records format, layers, training config and the weights manifest', async () => {
    const model = convModel();
    const dir = freshDir();
    await saveModel(model, dir);
    const saved = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(saved.format).toBe('faltung-model');
    expect(saved.formatVersion).toBe(1);
    expect(saved.layers.map((l: { className: string }) => l.className)).toEqual(['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense']);
    expect(saved.trainingConfig.optimizer.className).toBe('Adam');
    const manifest = saved.weightsManifest;
    expect(manifest.weights.map((w: { shape: number[] }) => w.shape)).toEqual([[3, 3, 2, 3], [3], [12, 4], [4]]);
    expect(manifest.weights.map((w: { offset: number }) => w.offset)).toEqual([0, 216, 228, 420]);
    expect(manifest.byteLength).toBe(436);
    const bytes = await fs.readFile(path.join(dir, manifest.file));
    expect(bytes.byteLength).toBe(436);
    const kernel = model.getWeights()[0].data;
    expect(bytes.readFloatLE(4 * 7)).toBe(kernel[7]);  // little-endian float32, Keras order
  });

  it('saving again replaces the model and removes the old weights file and leftovers', async () => {
    const dir = freshDir();
    const first = convModel();
    await saveModel(first, dir);
    // Litter a crashed save could leave: a temporary model.json and an orphan weights file.
    await fs.writeFile(path.join(dir, 'model.json.tmp-0123456789abcdef'), '{"half": ');
    await fs.writeFile(path.join(dir, 'weights-00000000deadbeef.bin'), Buffer.alloc(10));
    await fs.writeFile(path.join(dir, 'notes.txt'), 'mine');
    expectSameWeights(await loadModel(dir), first);  // leftovers do not disturb loading
    const second = convModel();
    await saveModel(second, dir);
    expectSameWeights(await loadModel(dir), second);
    const files = (await fs.readdir(dir)).sort();
    expect(files.filter((f) => f.startsWith('weights-')).length).toBe(1);
    expect(files).toContain('notes.txt');  // files it did not write are left alone
    expect(files.some((f) => f.includes('.tmp-'))).toBe(false);
  });

  it('concurrent saves to one directory from one process queue up and leave one consistent model', async () => {
    const dir = freshDir();
    const models = [convModel(), convModel(), convModel()];
    await Promise.all(models.map((m) => saveModel(m, dir)));
    expectSameWeights(await loadModel(dir), models[2]);
    expect((await fs.readdir(dir)).filter((f) => f.startsWith('weights-')).length).toBe(1);
  });
});

describe('saving refuses bad input', () => {
  it('rejects a non-model, a bad directory argument and non-finite weights', async () => {
    const model = convModel();
    await expect(saveModel({} as never, freshDir())).rejects.toThrow(TypeError);
    await expect(saveModel(model, '' as never)).rejects.toThrow(/dir/);
    await expect(saveModel(model, 42 as never)).rejects.toThrow(TypeError);
    const broken = convModel();
    const weights = broken.getWeights();
    weights[2].data[5] = Number.NaN;
    broken.setWeights(weights);
    const dir = freshDir();
    const error = await saveModel(broken, dir).then(() => null, (e: unknown) => e);
    expect((error as FaltungError).code).toBe('FALTUNG_NON_FINITE_WEIGHTS');
    expect((error as Error).message).toMatch(/dense.*kernel.*NaN at flat index 5/);
    await expect(fs.stat(dir)).rejects.toThrow();  // nothing written
  });

  it('a directory path that is a file is a FALTUNG_SAVE_FAILED error', async () => {
    const file = path.join(root, `plain-file-${counter++}`);
    await fs.writeFile(file, 'x');
    const error = await saveModel(convModel(), file).then(() => null, (e: unknown) => e);
    expect((error as FaltungError).code).toBe('FALTUNG_SAVE_FAILED');
    expect((error as Error).message).toContain(file);
  });
});

describe('loading a damaged directory gives a clear error', () => {
  let pristine = '';
  let pristineJson: Record<string, any> = {};
  beforeAll(async () => {
    pristine = freshDir();
    await saveModel(convModel(), pristine);
    pristineJson = JSON.parse(await fs.readFile(path.join(pristine, 'model.json'), 'utf8'));
  });

  /** A copy of the pristine save with model.json rewritten by `edit`. */
  async function withJson(edit: (json: Record<string, any>) => void): Promise<string> {
    const dir = freshDir();
    await fs.cp(pristine, dir, { recursive: true });
    const json = structuredClone(pristineJson);
    edit(json);
    await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    return dir;
  }

  /** A copy of the pristine save with the weights file replaced by `edit(bytes)`. */
  async function withWeights(edit: (bytes: Buffer) => Buffer): Promise<{ dir: string; file: string }> {
    const dir = freshDir();
    await fs.cp(pristine, dir, { recursive: true });
    const file = path.join(dir, pristineJson.weightsManifest.file);
    await fs.writeFile(file, edit(await fs.readFile(file)));
    return { dir, file };
  }

  it('a missing directory, a file instead of a directory, a directory without model.json', async () => {
    const missing = path.join(root, 'does-not-exist');
    let error = await loadError(missing);
    expect(error.code).toBe('FALTUNG_MODEL_NOT_FOUND');
    expect(error.message).toContain(missing);
    const file = path.join(root, `a-file-${counter++}`);
    await fs.writeFile(file, '{}');
    error = await loadError(file);
    expect(error.code).toBe('FALTUNG_MODEL_NOT_FOUND');
    expect(error.message).toMatch(/not a directory/);
    const empty = freshDir();
    await fs.mkdir(empty);
    error = await loadError(empty);
    expect(error.code).toBe('FALTUNG_MODEL_NOT_FOUND');
    expect(error.message).toMatch(/has no model\.json/);
    await expect(loadModel(undefined as never)).rejects.toThrow(TypeError);
  });

  it('garbled, non-UTF-8 and oversized model.json', async () => {
    const dir = await withJson(() => undefined);
    const jsonPath = path.join(dir, 'model.json');
    const text = await fs.readFile(jsonPath, 'utf8');
    await fs.writeFile(jsonPath, text.slice(0, text.length / 2));
    let error = await loadError(dir);
    expect(error.code).toBe('FALTUNG_BAD_MODEL_FILE');
    expect(error.message).toContain(jsonPath);
    expect(error.message).toMatch(/not valid JSON/);
    await fs.writeFile(jsonPath, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    expect((await loadError(dir)).message).toMatch(/not UTF-8/);
    await fs.writeFile(jsonPath, '');
    await fs.truncate(jsonPath, 17 * 1024 * 1024);  // sparse: refused by size, never read
    error = await loadError(dir);
    expect(error.code).toBe('FALTUNG_BAD_MODEL_FILE');
    expect(error.message).toMatch(/17825792 bytes, above the limit of 16777216/);
    await fs.writeFile(jsonPath, '[1, 2]');
    expect((await loadError(dir)).message).toMatch(/expected an object for the top level but found an array/);
  });

  it.skipIf(process.platform === 'win32')('a FIFO in place of model.json or the weights file is refused without hanging', async () => {
    const dir = await withJson(() => undefined);
    await fs.rm(path.join(dir, 'model.json'));
    execFileSync('mkfifo', [path.join(dir, 'model.json')]);
    expect((await loadError(dir)).message).toMatch(/model\.json: it is not a regular file/);
    const { dir: other, file } = await withWeights((bytes) => bytes);
    await fs.rm(file);
    execFileSync('mkfifo', [file]);
    const error = await loadError(other);
    expect(error.code).toBe('FALTUNG_BAD_WEIGHTS_FILE');
    expect(error.message).toMatch(/it is not a regular file/);
  });

  const jsonCases: [string, (json: Record<string, any>) => void, RegExp][] = [
    ['another format', (j) => { j.format = 'keras'; }, /"faltung-model" for format but found 'keras'/],
    ['a newer format version', (j) => { j.formatVersion = 2; }, /1 \(the only version this faltung reads\) for formatVersion but found 2/],
    ['an unknown top-level field', (j) => { j.extra = 1; }, /only the fields .* for the top level but found 'extra'/],
    ['a missing field', (j) => { delete j.inputShape; }, /an array for inputShape but found undefined/],
    ['a bad input shape', (j) => { j.inputShape = [6, -6, 2]; }, /inputShape\[1\]/],
    ['a zero input dimension', (j) => { j.inputShape = [6, 0, 2]; }, /inputShape: .*>= 1/],
    ['layers not an array', (j) => { j.layers = {}; }, /an array for layers but found an object/],
    ['an unknown layer class', (j) => { j.layers[1].className = 'MaxPooling7D'; }, /layers\[1\] \(MaxPooling7D\): .*one of InputLayer, Conv1D/],
    ['an unknown layer option', (j) => { j.layers[3].config.evil = 'require("child_process")'; }, /layers\[3\] \(Dense\): .*unknown option 'evil'/],
    ['a bad layer option value', (j) => { j.layers[0].config.filters = 'many'; }, /layers\[0\] \(Conv2D\): .*filters/],
    ['a first layer disagreeing with inputShape', (j) => { j.inputShape = [7, 7, 2]; }, /inputShape \[6, 6, 2\] differs from the model's inputShape \[7, 7, 2\]/],
    ['duplicate layer names', (j) => { j.layers[3].config.name = j.layers[0].config.name; }, /layers\[3\] \(Dense\): .*unique/],
    ['an unknown loss', (j) => { j.trainingConfig.loss = 'hinge'; }, /trainingConfig: .*loss/],
    ['an unknown optimizer', (j) => { j.trainingConfig.optimizer.className = 'Adagrad'; }, /trainingConfig.optimizer \(Adagrad\)/],
    ['an unknown optimizer option', (j) => { j.trainingConfig.optimizer.config.decay = 0.1; }, /unknown option 'decay'/],
    ['a weights file path', (j) => { j.weightsManifest.file = '../../etc/passwd'; }, /a plain file name .* for weightsManifest.file/],
    ['a missing weights file', (j) => { j.weightsManifest.file = 'weights-0000000000000000.bin'; }, /names the weights file weights-0000000000000000.bin, which cannot be opened/],
    ['another dtype', (j) => { j.weightsManifest.weights[0].dtype = 'float16'; }, /"float32" for weightsManifest.weights\[0\].dtype/],
    ['one weight too many', (j) => {
      j.weightsManifest.weights.push({ name: 'extra', shape: [0], dtype: 'float32', offset: 436, byteLength: 0 });
    }, /lists 5 weights but the model's layers have 4/],
    ['a wrong weight shape', (j) => { j.weightsManifest.weights[2].shape = [4, 12]; }, /weights\[2\] \(.*kernel\) has shape \[4, 12\] but the layer needs \[12, 4\]/],
    ['a wrong weight name', (j) => { j.weightsManifest.weights[1].name = 'other/bias'; }, /weights\[1\].name is 'other\/bias'/],
    ['an inconsistent byteLength', (j) => { j.weightsManifest.weights[1].byteLength = 16; }, /byteLength 16 but its shape \[3\] needs 12/],
    ['overlapping offsets', (j) => { j.weightsManifest.weights[2].offset = 0; }, /offset 0 but the weights are stored back to back, so it must be 228/],
    ['a wrong total size', (j) => { j.weightsManifest.byteLength = 440; }, /byteLength is 440 but the listed weights take 436 bytes/],
  ];
  for (const [what, edit, message] of jsonCases) {
    it(`model.json with ${what}`, async () => {
      const dir = await withJson(edit);
      const error = await loadError(dir);
      expect(error.code).toBe('FALTUNG_BAD_MODEL_FILE');
      expect(error.message).toContain(path.join(dir, 'model.json'));
      expect(error.message).toMatch(message);
    });
  }

  it('a manifest claiming terabytes is refused by the weights file size, before building or reading', async () => {
    const dir = await withJson((j) => {
      const huge = Array.from({ length: 600 }, (_, i) => ({
        name: `w${i}`, shape: [2 ** 31 - 1], dtype: 'float32', offset: i * (2 ** 31 - 1) * 4, byteLength: (2 ** 31 - 1) * 4,
      }));
      j.weightsManifest.weights = huge;
      j.weightsManifest.byteLength = 600 * (2 ** 31 - 1) * 4;
    });
    const error = await loadError(dir);
    expect(error.code).toBe('FALTUNG_BAD_WEIGHTS_FILE');
    expect(error.message).toMatch(/is 436 bytes but model.json's manifest says 5153960752800/);
  });

  it('a layer inflated beyond the weights file stops the rebuild', async () => {
    const dir = await withJson((j) => {
      j.layers[0].config.filters = 5000;  // 3*3*2*5000 floats: more than the file's 436 bytes
    });
    const error = await loadError(dir);
    expect(error.code).toBe('FALTUNG_BAD_MODEL_FILE');
    // Refused at the kernel, before its 360000 bytes are allocated (lib/layers/layer.ts withWeightBudget).
    expect(error.message).toMatch(/layers\[0\] \(Conv2D\): Expected a weight of at most the 436 bytes left in the weights file for \w+\.kernel but received '360000 bytes/);
  });

  it('a truncated or oversized weights file', async () => {
    let { dir, file } = await withWeights((bytes) => bytes.subarray(0, 100));
    let error = await loadError(dir);
    expect(error.code).toBe('FALTUNG_BAD_WEIGHTS_FILE');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/is 100 bytes but model.json's manifest says 436/);
    ({ dir, file } = await withWeights((bytes) => Buffer.concat([bytes, Buffer.alloc(8)])));
    error = await loadError(dir);
    expect(error.code).toBe('FALTUNG_BAD_WEIGHTS_FILE');
    expect(error.message).toMatch(/is 444 bytes/);
  });

  it('NaN or infinite weights', async () => {
    for (const [bad, shown] of [[Number.NaN, 'NaN'], [Number.POSITIVE_INFINITY, 'Infinity'], [Number.NEGATIVE_INFINITY, '-Infinity']] as const) {
      const { dir } = await withWeights((bytes) => {
        const copy = Buffer.from(bytes);
        copy.writeFloatLE(bad, 228 + 4 * 9);  // dense kernel, flat index 9
        return copy;
      });
      const error = await loadError(dir);
      expect(error.code).toBe('FALTUNG_BAD_WEIGHTS_FILE');
      expect(error.message).toMatch(new RegExp(`dense.*kernel holds ${shown} at flat index 9 \\(byte 264\\)`));
    }
  });
});
