// The Network part of the native fuzzer (test/fuzz/native-child.js): specs captured from small
// random models, mutated field by field, then every method called on the networks that were
// accepted; and async jobs and weights whose buffers are detached or shrunk while in use.
// Deliberately no per-function generators here (native-calls.js).
'use strict';
const { native } = require('../../dist/native.js');
const { createNetwork } = require('../../dist/network.js');
const fg = require('../../dist/index.js');
const M = require('./mutators.js');
const { GEOMETRY_EDGES, allocatable, bool, lastArg, invoke, describeCall, allFinite } = require('./native-calls.js');

const L = fg.layers;

/** A small random model that exercises one family of native ops, with its loss. */
function randomModel(rng) {
  const activation = () => rng.pick(['relu', 'linear', 'tanh', 'sigmoid', 'elu']);
  switch (rng.int(0, 3)) {
    case 0: {
      const size = rng.int(4, 9);
      const layers = [L.conv2d({ inputShape: [size, size, rng.int(1, 2)], filters: rng.int(1, 3), kernelSize: rng.int(1, 3), padding: rng.pick(['valid', 'same']), activation: activation() })];
      if (rng.chance(0.5)) layers.push(L.batchNormalization());
      layers.push(rng.chance(0.5) ? L.maxPooling2d({ poolSize: 2 }) : L.averagePooling2d({ poolSize: 2 }));
      layers.push(L.flatten(), L.dropout({ rate: rng.uniform(0, 0.6) }), L.dense({ units: rng.int(2, 4), activation: 'softmax' }));
      return { layers, loss: rng.pick(['categoricalCrossentropy', 'sparseCategoricalCrossentropy']) };
    }
    case 1: {
      const layers = [L.dense({ inputShape: [rng.int(1, 6)], units: rng.int(1, 5), activation: activation() }), L.dense({ units: rng.int(1, 3), activation: rng.pick(['sigmoid', 'linear']) })];
      return { layers, loss: rng.pick(['meanSquaredError', 'binaryCrossentropy']) };
    }
    case 2: {
      const layers = [L.embedding({ inputShape: [rng.int(1, 6)], inputDim: rng.int(2, 8), outputDim: rng.int(1, 4) }), rng.chance(0.5) ? L.globalAveragePooling1d() : L.globalMaxPooling1d(),
        L.dense({ units: rng.int(2, 4) }), L.activation({ activation: 'softmax' })];
      return { layers, loss: 'sparseCategoricalCrossentropy' };
    }
    default: {
      const layers = [L.conv1d({ inputShape: [rng.int(5, 8), rng.int(1, 3)], filters: rng.int(1, 3), kernelSize: rng.int(1, 3), dilationRate: rng.int(1, 2), activation: activation() }),
        rng.chance(0.5) ? L.maxPooling1d({ poolSize: 1 }) : L.globalMaxPooling1d(), L.flatten(), L.dense({ units: rng.int(1, 3) })];
      return { layers, loss: 'meanSquaredError' };
    }
  }
}

function randomOptimizer(rng) {
  const clip = rng.chance(0.3) ? { clipNorm: rng.uniform(0.1, 1) } : {};
  switch (rng.int(0, 3)) {
    case 0: return fg.optimizers.sgd({ learningRate: 0.01, ...clip });
    case 1: return fg.optimizers.momentum({ learningRate: 0.01, momentum: 0.9, nesterov: bool(rng) });
    case 2: return fg.optimizers.adam({ learningRate: 0.01, amsgrad: bool(rng), ...clip });
    default: return fg.optimizers.rmsprop({ learningRate: 0.01, centered: bool(rng), momentum: rng.pick([0, 0.5]) });
  }
}

/** The spec lib/network.ts would hand the Network constructor for a random model. */
function validSpec(rng) {
  const { layers, loss } = randomModel(rng);
  const model = fg.sequential(layers);
  const Real = native.Network;
  let captured = null;
  native.Network = class extends Real {
    constructor(spec) {
      super(spec);
      captured = spec;
    }
  };
  try {
    createNetwork(model.layers, model.inputShape, loss, randomOptimizer(rng).nativeConfig());
  } finally {
    native.Network = Real;
  }
  return captured;
}

/** Every [object, key] slot of a spec, typed arrays as leaves. */
function specSlots(spec) {
  const slots = [];
  const walk = (value) => {
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
    for (const key of Object.keys(value)) {
      slots.push([value, key]);
      walk(value[key]);
    }
  };
  walk(spec);
  return slots;
}

/** Mutates one or two fields of a spec in place; returns a note. */
function mutateSpec(rng, spec) {
  const notes = [];
  for (let n = rng.chance(0.7) ? 1 : 2; n > 0; --n) {
    const slots = specSlots(spec);
    const [object, key] = rng.pick(slots);
    const old = object[key];
    let value;
    if (old instanceof Int32Array) {
      value = new Int32Array(old);
      value[rng.int(0, value.length - 1)] = rng.pick(GEOMETRY_EDGES);
      if (rng.chance(0.3)) value = M.mutateTypedArray(rng, old);
    } else if (ArrayBuffer.isView(old)) value = M.mutateTypedArray(rng, old);
    else if (typeof old === 'number') value = rng.chance(0.8) ? M.mutateNumber(rng, old) : M.wrongValue(rng);
    else if (typeof old === 'string') value = rng.chance(0.5) ? rng.pick(['conv', 'pool', 'globalPool', 'dense', 'activation', 'softmax', 'dropout', 'batchNorm', 'embedding', 'max', 'avg', 'relu', 'adam', 'nope', '']) : M.wrongValue(rng);
    else if (Array.isArray(old) && rng.chance(0.7)) {
      value = [...old];
      const i = rng.int(0, Math.max(0, value.length - 1));
      switch (rng.int(0, 3)) {
        case 0: value.splice(i, 1); break;
        case 1: value.splice(i, 0, value[i] ?? {}); break;
        case 2: value.reverse(); break;
        default: value.length = 0;
      }
    } else value = rng.chance(0.3) ? undefined : M.wrongValue(rng);
    if (value === undefined && rng.chance(0.5)) delete object[key];
    else object[key] = value;
    notes.push(`${key}: ${M.describeValue(old)} -> ${M.describeValue(value)}`);
  }
  return notes.join('; ');
}

/** A spec as JSON, typed arrays and values JSON cannot hold described instead. */
function describeSpec(spec) {
  const plain = (value) => ArrayBuffer.isView(value) || ['bigint', 'symbol', 'function'].includes(typeof value) || (typeof value === 'number' && !Number.isFinite(value));
  return JSON.stringify(spec, (key, value) => (plain(value) ? M.describeValue(value) : value === undefined ? 'undefined' : value));
}

/** Per-example output size and label size of an accepted network (read from its refusals). */
function networkSizes(network, inputSize) {
  const expected = (call) => {
    try {
      call();
    } catch (error) {
      const match = /of length (\d+)/.exec(error.message);
      return match ? Number(match[1]) : null;
    }
    return null;
  };
  const x = allocatable(inputSize) ? new Float32Array(inputSize) : null;
  if (x === null) return null;
  const output = expected(() => network.predict(new Float32Array(0), x, 1, 1, false));
  const labels = expected(() => network.evaluate(new Float64Array(3), x, new Float32Array(0), 1, 1, false));
  return output === null || labels === null ? null : { output, labels };
}

/** Valid method calls for an accepted network; `loss` decides what labels look like. */
function methodCalls(rng, spec, sizes) {
  const batch = rng.int(1, 4);
  const x = () => {
    const data = rng.floats(batch * spec.inputSize, 0, 1);
    const embedding = Array.isArray(spec.layers) && spec.layers[0]?.kind === 'embedding';
    if (embedding) for (let i = 0; i < data.length; ++i) data[i] = rng.int(0, Math.max(0, (spec.layers[0].inputDim | 0) - 1));
    return data;
  };
  const labels = () => {
    const data = rng.floats(batch * sizes.labels, 0, 1);
    if (spec.loss === 'sparseCategoricalCrossentropy') for (let i = 0; i < data.length; ++i) data[i] = rng.int(0, Math.max(0, (spec.classes | 0) - 1));
    return data;
  };
  const opSizes = Array.isArray(spec.layers) ? spec.layers.length : 0;
  return [
    ['trainStep', [new Float64Array(3), x(), labels(), batch, 0.01, rng.int(0, 1000), lastArg(rng)]],
    ['evaluate', [new Float64Array(3), x(), labels(), batch, rng.int(1, 3), lastArg(rng)]],
    ['predict', [new Float32Array(batch * sizes.output), x(), batch, rng.int(1, 3), lastArg(rng)]],
    ['computeGradients', [new Float64Array(3), x(), labels(), batch, bool(rng), rng.int(0, 1000)]],
    ['activations', [Array.from({ length: opSizes }, () => new Float32Array(0)), x(), batch]],
    ['getSteps', []],
    ['setSteps', [rng.int(0, 100)]],
  ];
}

async function fuzzNetwork(rng, count, tally) {
  for (let i = 0; i < count; ++i) {
    const spec = validSpec(rng);
    const mode = rng.next();
    let note = '';
    if (mode < 0.55) note = mutateSpec(rng, spec);
    else if (mode < 0.6) note = 'random spec', Object.assign(spec, { layers: [M.wrongValue(rng)], inputSize: rng.pick(M.WEIRD_NUMBERS) });
    const input = () => `new Network(${describeSpec(spec)}) [${note}]`;
    let network;
    const withoutNew = rng.chance(0.03);
    if (withoutNew) note += ' (called without new)';
    try {
      network = withoutNew ? native.Network(spec) : new native.Network(spec);
    } catch (error) {
      tally.rejected('Network', error, input());
      if (note === '') tally.violation('Network', `a valid spec was refused: ${error?.message}`, input());
      continue;
    }
    tally.accepted('Network');
    const sizes = networkSizes(network, spec.inputSize);
    if (sizes === null) continue;
    let poisoned = note !== '';  // after an accepted odd call (a huge learning rate) NaN weights are fair
    for (const [method, args] of methodCalls(rng, spec, sizes)) {
      if (method === 'activations' && args[0].length > 0) {
        // Right-sized outputs from the refusals, when they are small.
        for (let op = 0; op < args[0].length; ++op) {
          try { network.activations(args[0], args[1], args[2]); break; } catch (error) {
            const match = /length (\d+), got length/.exec(error.message) ?? /of length (\d+)/.exec(error.message);
            const length = match ? Number(match[1]) : NaN;
            if (!allocatable(length)) break;
            const index = args[0].findIndex((a) => a.length !== length && a.length === 0);
            if (index < 0) break;
            args[0][index] = new Float32Array(length);
          }
        }
      }
      const mutated = rng.chance(0.4) ? M.mutateArguments(rng, args) : '';
      const caseName = `Network.${method}`;
      const described = () => `${describeCall(method, args, mutated)} on ${input()}`;
      const outcome = await invoke(network[method], rng.chance(0.02) ? {} : network, args);
      if ('error' in outcome) tally.rejected(caseName, outcome.error, described());
      else {
        tally.accepted(caseName);
        if (mutated !== '') poisoned = true;
        else if (!poisoned && (method === 'predict' || method === 'trainStep' || method === 'evaluate')) {
          tally.check(caseName, allFinite(args[0]), 'non-finite result from a valid network call', described());
        }
      }
    }
    // Two calls at once: the second must be refused as busy (FaltungError), never run concurrently.
    const first = network.predict(new Float32Array(sizes.output), new Float32Array(spec.inputSize), 1, 1, true);
    const second = await invoke(network.predict, network, [new Float32Array(sizes.output), new Float32Array(spec.inputSize), 1, 1, false]);
    if ('error' in second) tally.rejected('Network.busy', second.error, input());
    else tally.accepted('Network.busy');
    await first.catch((error) => tally.rejected('Network.busy', error, input()));
  }
}

// ---- hostile buffers during async jobs -------------------------------------------------------------

/** Async calls whose arrays are large enough to still be running when the test detaches or shrinks them. */
const HOSTILE_CALLS = {
  activationForward: (size, onBuffer) => { const x = onBuffer(new Float32Array(size).fill(0.5)); return { args: [onBuffer(new Float32Array(size)), x, 5, 0, true] }; },
  sgemm: (size, onBuffer) => { const n = Math.floor(Math.sqrt(size)); return { args: [onBuffer(new Float32Array(n * n)), onBuffer(new Float32Array(n * n).fill(1)), onBuffer(new Float32Array(n * n).fill(1)), n, n, n, false, false, 1, 0, true] }; },
  denseForward: (size, onBuffer) => { const n = Math.floor(Math.sqrt(size)); return { args: [onBuffer(new Float32Array(n * n)), onBuffer(new Float32Array(n * n)), onBuffer(new Float32Array(n * n)), null, n, n, n, true] }; },
  adamUpdate: (size, onBuffer) => { const a = () => onBuffer(new Float32Array(size)); return { args: [a(), a(), a(), null, a(), 0.01, 0.9, 0.999, 1e-7, 1, 0, 0, 0, true] }; },
  dropoutForward: (size, onBuffer) => ({ args: [onBuffer(new Float32Array(size)), onBuffer(new Float32Array(size)), onBuffer(new Float32Array(size)), 0.5, 1, true] }),
};

/** Starts an async job, then detaches or shrinks its arrays and churns the heap before awaiting it. */
async function fuzzHostile(rng, count, tally) {
  const size = 1 << 20;
  for (const [name, make] of Object.entries(HOSTILE_CALLS)) {
    for (let i = 0; i < count; ++i) {
      const attack = rng.pick(['detach', 'resize', 'detach-then-gc']);
      const onBuffer = attack === 'resize' ? M.onResizableBuffer : (array) => array;
      const { args } = make(size, onBuffer);
      const caseName = `hostile.${name}.${attack}`;
      const input = `${describeCall(name, args)} [${attack}]`;
      let promise;
      try {
        promise = native[name](...args);
      } catch (error) {
        tally.rejected(caseName, error, input);
        continue;
      }
      for (const array of args) {
        if (!ArrayBuffer.isView(array)) continue;
        try {
          if (attack === 'resize') array.buffer.resize(0);
          else structuredClone(array.buffer, { transfer: [array.buffer] });
        } catch {
          // A refused transfer or resize is a fine defence too.
        }
      }
      if (attack === 'detach-then-gc' && global.gc) global.gc();
      for (let churn = 0; churn < 8; ++churn) new Float32Array(size).fill(churn);
      try {
        await promise;
        tally.accepted(caseName);
      } catch (error) {
        tally.rejected(caseName, error, input);
      }
    }
  }
  // The network's weights: detached or shrunk after construction, then used synchronously.
  for (let i = 0; i < count * 2; ++i) {
    const attack = rng.pick(['detach', 'resize']);
    const spec = validSpec(rng);
    const weighted = spec.layers.filter((layer) => layer.kernel instanceof Float32Array);
    if (weighted.length === 0) continue;
    const layer = rng.pick(weighted);
    if (attack === 'resize') layer.kernel = M.onResizableBuffer(layer.kernel);
    const caseName = `hostile.NetworkWeights.${attack}`;
    let network;
    try {
      network = new native.Network(spec);
    } catch (error) {
      tally.rejected(caseName, error, attack);
      continue;
    }
    try {
      if (attack === 'resize') layer.kernel.buffer.resize(0);
      else structuredClone(layer.kernel.buffer, { transfer: [layer.kernel.buffer] });
    } catch {
      // refused: fine
    }
    if (global.gc) global.gc();
    for (let churn = 0; churn < 4; ++churn) new Float32Array(size).fill(churn);
    const sizes = networkSizes(network, spec.inputSize);
    const outcome = await invoke(network.predict, network, [new Float32Array(sizes?.output ?? 1), new Float32Array(spec.inputSize), 1, 1, bool(rng)]);
    if ('error' in outcome) tally.rejected(caseName, outcome.error, attack);
    else tally.accepted(caseName);
  }
}


module.exports = { fuzzNetwork, fuzzHostile };
