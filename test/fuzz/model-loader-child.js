// Child process of test/fuzz/model-loader.test.ts: saves a few small models, then loads seeded
// corruptions of them (model.json mutated as JSON or as bytes, the manifest made to claim huge
// sizes or other files, the weights file cut, grown or flipped) with fg.loadModel, and prints one
// JSON report. Accepted models must predict finite values of their output shape.
// Usage: node test/fuzz/model-loader-child.js [--seed N] [--multiplier M]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const fg = require('../../dist/index.js');
const M = require('./mutators.js');

/** Loads at multiplier 1. */
const LOADS = 700;
/** Accepted models are run only when every layer's output stays this small (values per example). */
const MAX_PREDICT_VALUES = 1 << 16;

function parseArgs(argv) {
  const options = { seed: M.baseSeed(), multiplier: M.budgetMultiplier() };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--seed') options.seed = Number(argv[i + 1]);
    else if (argv[i] === '--multiplier') options.multiplier = Number(argv[i + 1]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return options;
}

const L = fg.layers;

/** The models whose saved files are mutated: every serializable layer kind appears in one. */
function baseModels() {
  const mlp = fg.sequential({ name: 'mlp', layers: [L.dense({ inputShape: [6], units: 5, activation: 'relu' }), L.dropout({ rate: 0.2 }), L.dense({ units: 3, activation: 'softmax' })] });
  mlp.compile({ optimizer: fg.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const convnet = fg.sequential({
    name: 'convnet',
    layers: [L.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }), L.batchNormalization(), L.maxPooling2d({ poolSize: 2 }),
      L.averagePooling2d({ poolSize: 2 }), L.flatten(), L.dense({ units: 2 })],
  });
  const sequence = fg.sequential({
    name: 'sequence',
    layers: [L.embedding({ inputShape: [5], inputDim: 7, outputDim: 3 }), L.conv1d({ filters: 2, kernelSize: 2 }), L.globalMaxPooling1d(), L.activation({ activation: 'tanh' }), L.reshape({ targetShape: [2, 1] }), L.flatten()],
  });
  sequence.compile({ optimizer: fg.optimizers.rmsprop({ learningRate: 1e-3 }), loss: 'meanSquaredError' });
  const volume = fg.sequential({ name: 'volume', layers: [L.conv3d({ inputShape: [4, 4, 4, 1], filters: 1, kernelSize: 2 }), L.globalAveragePooling3d(), L.dense({ units: 1, activation: 'sigmoid' })] });
  volume.compile({ optimizer: fg.optimizers.sgd({ learningRate: 0.1 }), loss: 'binaryCrossentropy' });
  return [mlp, convnet, sequence, volume];
}

/** Saves each model and reads back its model.json (parsed) and weights bytes. */
async function savedFiles(root) {
  const files = [];
  for (const model of baseModels()) {
    const dir = path.join(root, `base-${model.name}`);
    await model.save(dir);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    files.push({ name: model.name, json, weights: fs.readFileSync(path.join(dir, json.weightsManifest.file)) });
  }
  return files;
}

/** Mutations aimed at the weights manifest: sizes, offsets, shapes and the file it names. */
function mutateManifest(rng, json) {
  const copy = structuredClone(json);
  const manifest = copy.weightsManifest;
  const entry = manifest.weights.length > 0 ? rng.pick(manifest.weights) : null;
  switch (rng.int(0, 9)) {
    case 0: manifest.byteLength = rng.pick([1e12, 2 ** 40, 2 ** 53 - 1, 1e15, -4, 0, 3.5]); return { value: copy, note: `byteLength ${manifest.byteLength}` };
    case 1: if (entry) entry.offset = rng.pick([1e12, -4, 2 ** 53 - 1, entry.offset + 4, 1]); return { value: copy, note: 'offset' };
    case 2: if (entry) entry.byteLength = rng.pick([1e12, 0, -4, entry.byteLength * 2, 2 ** 53 - 1]); return { value: copy, note: 'entry byteLength' };
    case 3: if (entry) entry.shape = rng.pick([[1e6, 1e6], [2 ** 31], [0], [], [-1, 4], [2 ** 53, 0], [65536, 65536, 65536]]); return { value: copy, note: `shape ${JSON.stringify(entry?.shape)}` };
    case 4: manifest.file = rng.pick(['../model.json', '/etc/passwd', 'model.json', '.', '..', 'missing.bin', 'a/b.bin', 'x'.repeat(200), 'sub', 'fifo.bin', 'weights\u0000.bin']); return { value: copy, note: `file ${JSON.stringify(manifest.file)}` };
    case 5: if (entry) entry.name = rng.pick(['', 'other/kernel', '__proto__', entry.name + 'x']); return { value: copy, note: 'entry name' };
    case 6: manifest.weights.reverse(); return { value: copy, note: 'entries reversed' };
    case 7: if (entry) entry.dtype = rng.pick(['float16', 'int32', null]); return { value: copy, note: 'dtype' };
    case 8: {  // claims terabytes consistently: entries, offsets and total all agree
      if (!entry) return { value: copy, note: 'no entries' };
      entry.shape = [1e6, 1e6];
      let offset = 0;
      for (const e of manifest.weights) {
        e.offset = offset;
        e.byteLength = e.shape.reduce((a, b) => a * b, 1) * 4;
        offset += e.byteLength;
      }
      manifest.byteLength = offset;
      return { value: copy, note: 'consistent manifest claiming 4 TB' };
    }
    default: manifest.byteOrder = 'big-endian'; return { value: copy, note: 'byteOrder' };
  }
}

/** Mutations of the topology that keep the JSON valid: layer configs, classes, shapes. */
function mutateTopology(rng, json) {
  const copy = structuredClone(json);
  const layer = rng.pick(copy.layers);
  const config = layer.config;
  const keys = Object.keys(config);
  switch (rng.int(0, 6)) {
    case 0: layer.className = rng.pick(['Dense', 'Conv2D', 'Nope', '__proto__', 'constructor', 'toString', 'InputLayer', 'Flatten', 'hasOwnProperty']); return { value: copy, note: `className ${layer.className}` };
    case 1: {
      const key = rng.pick(['units', 'filters', 'kernelSize', 'poolSize', 'strides', 'rate', 'inputDim', 'outputDim', 'targetShape', 'padding', 'dilationRate', 'activation']);
      config[key] = rng.pick([1e12, 2 ** 31 - 1, 5e8, 1e6, 0, -1, 1.5, [1e6, 1e6], 'same', [], null, { a: 1 }, 'relu', 'softmax']);
      return { value: copy, note: `config.${key} = ${JSON.stringify(config[key])}` };
    }
    case 2: copy.inputShape = rng.pick([[1e6, 1e6, 1e6], [2 ** 31 - 1], [0], [], [40000, 40000, 1], [8, 8, 1], [-1], [6], [5]]); return { value: copy, note: `inputShape ${JSON.stringify(copy.inputShape)}` };
    case 3: if (keys.length > 0) delete config[rng.pick(keys)]; return { value: copy, note: 'config key removed' };
    case 4: copy.layers.push(structuredClone(layer)); return { value: copy, note: 'layer duplicated' };
    case 5: copy.trainingConfig = rng.pick([null, { loss: 'nope', metrics: [], optimizer: { className: 'Adam', config: {} } }, { loss: 'meanSquaredError', metrics: ['accuracy', 'x'], optimizer: { className: 'SGD', config: { learningRate: -1e300 } } }, { loss: 'meanSquaredError', metrics: [], optimizer: { className: '__proto__', config: {} } }]); return { value: copy, note: 'trainingConfig' };
    default: Object.defineProperty(config, rng.pick(['__proto__', 'constructor', 'prototype']), { value: { polluted: true }, enumerable: true, writable: true, configurable: true }); return { value: copy, note: 'hostile config key' };
  }
}

function allFinite(array) {
  for (let i = 0; i < array.length; ++i) if (!Number.isFinite(array[i])) return false;
  return true;
}

/** Runs an accepted model once when its activations stay small; returns a problem or null. */
function checkAccepted(model, valuesChanged) {
  const sizes = [model.inputShape, ...model.layers.map((layer) => layer.outputShape)].map((shape) => shape.reduce((a, b) => a * b, 1));
  if (sizes.some((size) => size > MAX_PREDICT_VALUES)) return null;
  const input = fg.zeros([2, ...model.inputShape]);
  const out = model.predict(input);
  const expected = [2, ...model.outputShape];
  if (out.shape.join() !== expected.join()) return `predict gave shape [${out.shape}] for output shape [${expected}]`;
  // Mutated weight bytes can be huge finite floats whose products overflow: only shape is checkable.
  if (!valuesChanged && !allFinite(out.data)) return 'predict gave non-finite values';
  return null;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const tally = new M.Tally('model loader', options.seed, options.multiplier);
  const rng = new M.FuzzRandom(M.seedFor(options.seed, 'model-loader'));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'faltung-fuzz-model-'));
  let peakRss = 0;
  try {
    const bases = await savedFiles(root);
    const dir = path.join(root, 'load');
    fs.mkdirSync(dir);
    fs.mkdirSync(path.join(dir, 'sub'));
    const loads = Math.max(1, Math.round(LOADS * options.multiplier));
    for (let i = 0; i < loads; ++i) {
      const base = rng.pick(bases);
      let json = base.json;
      let jsonText = null;
      let weights = base.weights;
      const notes = [];
      const target = rng.next();
      if (target < 0.25) {
        const mutated = M.mutateJson(rng, json);
        json = mutated.value;
        notes.push(`json: ${mutated.note}`);
      } else if (target < 0.4) {
        const mutated = mutateManifest(rng, json);
        json = mutated.value;
        notes.push(`manifest: ${mutated.note}`);
      } else if (target < 0.6) {
        const mutated = mutateTopology(rng, json);
        json = mutated.value;
        notes.push(`topology: ${mutated.note}`);
      } else if (target < 0.7) {
        jsonText = Buffer.from(M.mutateBytes(rng, Buffer.from(M.stringifyJson(json, 2))));
        notes.push('model.json bytes mutated');
      } else if (target < 0.95) {
        weights = Buffer.from(M.mutateBytes(rng, weights));
        notes.push(`weights bytes mutated (${base.weights.length} -> ${weights.length})`);
      } else {
        notes.push('unchanged');
      }
      // Write the directory: model.json plus the weights under the name the original manifest used.
      for (const name of fs.readdirSync(dir)) if (name !== 'sub') fs.rmSync(path.join(dir, name), { force: true, recursive: true });
      fs.writeFileSync(path.join(dir, base.json.weightsManifest.file), weights);
      fs.writeFileSync(path.join(dir, 'model.json'), jsonText ?? M.stringifyJson(json));
      if (json?.weightsManifest?.file === 'fifo.bin') require('node:child_process').execFileSync('mkfifo', [path.join(dir, 'fifo.bin')]);
      const caseName = notes[0].split(':')[0].split(' (')[0];
      const input = `${base.name}: ${notes.join('; ')}`;
      try {
        const model = await fg.loadModel(dir);
        tally.accepted(caseName);
        let problem;
        try {
          problem = checkAccepted(model, weights !== base.weights);
        } catch (error) {
          problem = `predict on an accepted model threw ${error?.name}: ${error?.message}`;
        }
        tally.check(caseName, problem === null, problem, input);
      } catch (error) {
        tally.rejected(caseName, error, input);
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  tally.report.peakRssMiB = Math.round(peakRss / 2 ** 20);
  process.stdout.write(`${JSON.stringify(tally.report)}\n`);
}

main().catch((error) => {
  process.stderr.write(`fuzz driver failed: ${error?.stack ?? error}\n`);
  process.exitCode = 70;
});
