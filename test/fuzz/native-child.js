// Child process of test/fuzz/native-entry.test.ts: calls every function the addon exports, and the
// Network class, with seeded valid, edge-sized, mutated and random arguments, and prints one JSON
// report. A native crash kills only this process; the parent sees the signal. No timing checks.
// Usage: node --expose-gc test/fuzz/native-child.js [--seed N] [--multiplier M] [--only name]
'use strict';
const { native, pinBuffer } = require('../../dist/native.js');
const { createNetwork } = require('../../dist/network.js');
const { FaltungError } = require('../../dist/errors.js');
const fg = require('../../dist/index.js');
const M = require('./mutators.js');

/** Inputs per exported function at multiplier 1. */
const CALLS_PER_FUNCTION = 260;
/** Network specs (each followed by a few method calls) at multiplier 1. */
const NETWORK_SPECS = 220;
/** Async calls whose buffers are detached or shrunk while the job runs, per hostile target. */
const HOSTILE_PER_TARGET = 12;
/** Largest array a generated call allocates (elements); bigger claims get small wrong arrays. */
const MAX_ALLOC = 1 << 16;

function parseArgs(argv) {
  const options = { seed: M.baseSeed(), multiplier: M.budgetMultiplier(), only: null };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--seed') options.seed = Number(argv[i + 1]);
    else if (argv[i] === '--multiplier') options.multiplier = Number(argv[i + 1]);
    else if (argv[i] === '--only') options.only = argv[i + 1];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return options;
}

// ---- sizes and arrays ----------------------------------------------------------------------------

/** A dimension: small and valid, or (weird) an edge value that may or may not be accepted. */
function dim(rng, weird, min = 0, max = 6) {
  if (!weird || rng.chance(0.4)) return rng.int(min, max);
  return rng.pick([0, 1, 2, 3, 17, 64, 255, 4097, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53, -1, 1.5, NaN, Infinity]);
}

function allocatable(n) {
  return Number.isSafeInteger(n) && n >= 0 && n <= MAX_ALLOC;
}

/** `n` floats in [low, high], or a small array of the wrong length when `n` is not a sane size. */
function floats(rng, n, low = -1, high = 1) {
  return allocatable(n) ? rng.floats(n, low, high) : rng.floats(rng.int(0, 8), low, high);
}

function zeros(rng, n) {
  return allocatable(n) ? new Float32Array(n) : new Float32Array(rng.int(0, 8));
}

function bool(rng) {
  return rng.chance(0.5);
}

// ---- window geometry (mirrors native/kernels/im2col.cc window_output_size) -----------------------

const GEOMETRY_EDGES = [0, -1, 1, 2, 3, 7, 100, 46341, 65536, 2 ** 31 - 1, -(2 ** 31)];

/** A packed geometry [N, C, OC, padding, D,H,W, KD,KH,KW, SD,SH,SW, DD,DH,DW, pads before, pads after]. */
function geometry(rng, weird, pooling) {
  const g = new Int32Array(22);
  const spatial = rng.int(1, 3);
  g[0] = rng.int(0, 3);
  g[1] = rng.int(1, 3);
  g[2] = pooling ? g[1] : rng.int(1, 3);
  g[3] = rng.int(0, 2);
  for (let d = 0; d < 3; ++d) {
    const used = d >= 3 - spatial;
    const size = used ? rng.int(1, 7) : 1;
    const dilation = pooling || !used ? 1 : rng.int(1, 2);
    const kernel = used ? rng.int(1, Math.min(Math.floor((size - 1) / dilation) + 1, 3)) : 1;  // fits unpadded
    g[4 + d] = size;
    g[7 + d] = kernel;
    g[10 + d] = used ? rng.int(1, 3) : 1;
    g[13 + d] = dilation;
    g[16 + d] = used && g[3] === 0 ? rng.int(0, pooling ? kernel - 1 : 2) : 0;
    g[19 + d] = used && g[3] === 0 ? rng.int(0, pooling ? kernel - 1 : 2) : 0;
  }
  if (weird) for (let i = rng.int(1, 3); i > 0; --i) g[rng.int(0, 21)] = rng.pick(GEOMETRY_EDGES);
  return g;
}

/** Sizes of x, y and filter for a packed geometry, or null where native must refuse it. */
function resolveGeometry(g, pooling) {
  const [N, C, OC, mode] = g;
  if (N < 0 || C < 1 || OC < 1 || mode < 0 || mode > 2) return null;
  let inPixels = 1;
  let outPixels = 1;
  let window = 1;
  for (let d = 0; d < 3; ++d) {
    const size = g[4 + d], kernel = g[7 + d], stride = g[10 + d], dilation = g[13 + d];
    let before = g[16 + d], after = g[19 + d];
    if (size < 1 || kernel < 1 || stride < 1 || dilation < 1 || before < 0 || after < 0) return null;
    const effective = (kernel - 1) * dilation + 1;
    let out;
    if (mode === 2) {
      out = Math.ceil(size / stride);
      const total = Math.max((out - 1) * stride + effective - size, 0);
      before = Math.floor(total / 2);
      after = total - before;
      if (before > 2 ** 31 - 1 || after > 2 ** 31 - 1) return null;
    } else {
      if (mode === 1) before = after = 0;
      if (size + before + after < effective) return null;
      out = Math.floor((size + before + after - effective) / stride) + 1;
    }
    if (pooling && (dilation !== 1 || before >= kernel || after >= kernel)) return null;
    inPixels *= size;
    outPixels *= out;
    window *= kernel;
  }
  if (pooling && OC !== C) return null;
  return { x: N * inPixels * C, y: N * outPixels * OC, filter: window * C * OC, channels: OC };
}

/** Arrays for a geometry: right-sized when it resolves to small sizes, small and wrong otherwise. */
function windowArrays(rng, weird, pooling) {
  const g = geometry(rng, weird, pooling);
  const sizes = resolveGeometry(g, pooling) ?? { x: NaN, y: NaN, filter: NaN, channels: g[2] };
  return { g, sizes };
}

// ---- one generator per exported function ---------------------------------------------------------
// make(rng, weird) returns { args, outputs (indices of arrays written), finite (outputs must stay finite
// for a valid call) }. `weird` picks edge sizes; arrays follow them when they stay small.

const lastArg = (rng) => rng.chance(0.25);  // async
const optional = (rng, make) => (rng.chance(0.3) ? null : make());
/** clipNorm, clipValue: at most one on. */
const clips = (rng) => (rng.chance(0.5) ? [0, 0] : rng.chance(0.5) ? [rng.uniform(0.1, 2), 0] : [0, rng.uniform(0.1, 2)]);

const GENERATORS = {
  sgemm(rng, weird) {
    const [m, n, k] = [dim(rng, weird), dim(rng, weird), dim(rng, weird)];
    return { args: [zeros(rng, m * n), floats(rng, m * k), floats(rng, k * n), m, n, k, bool(rng), bool(rng), rng.uniform(-2, 2), rng.pick([0, 1, 0.5]), lastArg(rng)], outputs: [0] };
  },
  convForward(rng, weird) {
    const { g, sizes } = windowArrays(rng, weird, false);
    return { args: [zeros(rng, sizes.y), floats(rng, sizes.x), floats(rng, sizes.filter), optional(rng, () => floats(rng, sizes.channels)), g, bool(rng), lastArg(rng)], outputs: [0] };
  },
  convBackwardInput(rng, weird) {
    const { g, sizes } = windowArrays(rng, weird, false);
    return { args: [zeros(rng, sizes.x), floats(rng, sizes.y), floats(rng, sizes.filter), g, lastArg(rng)], outputs: [0] };
  },
  convBackwardFilter(rng, weird) {
    const { g, sizes } = windowArrays(rng, weird, false);
    return { args: [zeros(rng, sizes.filter), floats(rng, sizes.x), floats(rng, sizes.y), g, lastArg(rng)], outputs: [0] };
  },
  convBackwardBias(rng, weird) {
    const rows = dim(rng, weird), channels = dim(rng, weird, 1);
    return { args: [zeros(rng, channels), floats(rng, rows * channels), rows, channels, lastArg(rng)], outputs: [0] };
  },
  maxPoolForward: (rng, weird) => poolForward(rng, weird),
  avgPoolForward: (rng, weird) => poolForward(rng, weird),
  maxPoolBackward(rng, weird) {
    const { g, sizes } = windowArrays(rng, weird, true);
    return { args: [zeros(rng, sizes.x), floats(rng, sizes.y), floats(rng, sizes.x), g, lastArg(rng)], outputs: [0] };
  },
  avgPoolBackward(rng, weird) {
    const { g, sizes } = windowArrays(rng, weird, true);
    return { args: [zeros(rng, sizes.x), floats(rng, sizes.y), g, lastArg(rng)], outputs: [0] };
  },
  globalAvgPoolForward: (rng, weird) => globalForward(rng, weird),
  globalMaxPoolForward: (rng, weird) => globalForward(rng, weird),
  globalAvgPoolBackward(rng, weird) {
    const [n, s, c] = [dim(rng, weird), dim(rng, weird, 1), dim(rng, weird, 1)];
    return { args: [zeros(rng, n * s * c), floats(rng, n * c), n, s, c, lastArg(rng)], outputs: [0] };
  },
  globalMaxPoolBackward(rng, weird) {
    const [n, s, c] = [dim(rng, weird), dim(rng, weird, 1), dim(rng, weird, 1)];
    return { args: [zeros(rng, n * s * c), floats(rng, n * c), floats(rng, n * s * c), n, s, c, lastArg(rng)], outputs: [0] };
  },
  activationForward(rng, weird) {
    const n = dim(rng, weird) * dim(rng, false);
    return { args: [zeros(rng, n), floats(rng, n, -4, 4), rng.int(0, 5), rng.uniform(0, 1), lastArg(rng)], outputs: [0] };
  },
  activationBackward(rng, weird) {
    const n = dim(rng, weird) * dim(rng, false);
    return { args: [zeros(rng, n), floats(rng, n), floats(rng, n, 0.01, 0.99), rng.int(0, 5), rng.uniform(0, 1), lastArg(rng)], outputs: [0] };
  },
  softmaxForward(rng, weird) {
    const rows = dim(rng, weird), classes = dim(rng, weird, 1);
    return { args: [zeros(rng, rows * classes), floats(rng, rows * classes, -5, 5), rows, classes, lastArg(rng)], outputs: [0] };
  },
  softmaxBackward(rng, weird) {
    const rows = dim(rng, weird), classes = dim(rng, weird, 1);
    const n = rows * classes;
    return { args: [zeros(rng, n), floats(rng, n), floats(rng, n, 0, 1), rows, classes, lastArg(rng)], outputs: [0] };
  },
  softmaxCrossEntropy(rng, weird) {
    const rows = dim(rng, weird, 1), classes = dim(rng, weird, 1);
    const n = rows * classes;
    return { args: [new Float32Array(1), zeros(rng, n), floats(rng, n, 0, 1), floats(rng, n, -5, 5), rows, classes, lastArg(rng)], outputs: [0, 1] };
  },
  sparseSoftmaxCrossEntropy(rng, weird) {
    const rows = dim(rng, weird, 1), classes = dim(rng, weird, 1);
    const labels = allocatable(rows) ? Int32Array.from({ length: rows }, () => rng.int(0, Math.max(0, Math.min(classes, 1e6) - 1))) : new Int32Array(2);
    return { args: [new Float32Array(1), zeros(rng, rows * classes), labels, floats(rng, rows * classes, -5, 5), rows, classes, lastArg(rng)], outputs: [0, 1] };
  },
  meanSquaredError: (rng, weird) => elementwiseLoss(rng, weird, false),
  binaryCrossentropy: (rng, weird) => elementwiseLoss(rng, weird, true),
  sigmoidCrossEntropy: (rng, weird) => elementwiseLoss(rng, weird, false),
  sgdUpdate(rng, weird) {
    const n = dim(rng, weird) * dim(rng, false);
    return { args: [floats(rng, n), floats(rng, n), rng.uniform(-0.1, 0.5), ...clips(rng), lastArg(rng)], outputs: [0] };
  },
  momentumUpdate(rng, weird) {
    const n = dim(rng, weird) * dim(rng, false);
    return { args: [floats(rng, n), floats(rng, n), floats(rng, n), rng.uniform(0, 0.5), rng.uniform(0, 1), bool(rng), ...clips(rng), lastArg(rng)], outputs: [0, 1] };
  },
  adamUpdate(rng, weird) {
    const n = dim(rng, weird) * dim(rng, false);
    return {
      args: [floats(rng, n), floats(rng, n), floats(rng, n, 0, 1), optional(rng, () => floats(rng, n, 0, 1)), floats(rng, n),
        rng.uniform(0, 0.1), rng.uniform(0, 0.99), rng.uniform(0, 0.999), rng.uniform(1e-8, 1e-3), rng.int(1, 1000), rng.uniform(0, 0.1), ...clips(rng), lastArg(rng)],
      outputs: [0, 1, 2, 3],
    };
  },
  rmspropUpdate(rng, weird) {
    const n = dim(rng, weird) * dim(rng, false);
    return {
      args: [floats(rng, n), floats(rng, n, 0.5, 1), optional(rng, () => floats(rng, n)), optional(rng, () => floats(rng, n, -0.1, 0.1)), floats(rng, n),
        rng.uniform(0, 0.1), rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(1e-7, 1e-3), ...clips(rng), lastArg(rng)],
      outputs: [0, 1, 2, 3],
    };
  },
  batchNormTraining(rng, weird) {
    const rows = dim(rng, weird, 1), channels = dim(rng, weird);
    const c = () => floats(rng, channels);
    return {
      args: [zeros(rng, rows * channels), zeros(rng, channels), zeros(rng, channels), c(), floats(rng, channels, 0, 1), floats(rng, rows * channels), c(), c(), rows, channels,
        rng.uniform(0, 1), rng.uniform(1e-5, 1e-2), lastArg(rng)],
      outputs: [0, 1, 2, 3, 4],
    };
  },
  batchNormInference(rng, weird) {
    const rows = dim(rng, weird), channels = dim(rng, weird);
    const c = () => floats(rng, channels);
    return { args: [zeros(rng, rows * channels), floats(rng, rows * channels), c(), floats(rng, channels, 0, 1), c(), c(), rows, channels, rng.uniform(1e-5, 1e-2), lastArg(rng)], outputs: [0] };
  },
  batchNormBackward(rng, weird) {
    const rows = dim(rng, weird, 1), channels = dim(rng, weird);
    const c = () => floats(rng, channels);
    return {
      args: [zeros(rng, rows * channels), zeros(rng, channels), zeros(rng, channels), floats(rng, rows * channels), floats(rng, rows * channels), c(), c(), floats(rng, channels, 0.5, 2), rows, channels, lastArg(rng)],
      outputs: [0, 1, 2],
    };
  },
  dropoutForward(rng, weird) {
    const n = dim(rng, weird) * dim(rng, false);
    return { args: [zeros(rng, n), zeros(rng, n), floats(rng, n), rng.uniform(0, 0.95), rng.int(0, 2 ** 31), lastArg(rng)], outputs: [0, 1] };
  },
  dropoutBackward(rng, weird) {
    const n = dim(rng, weird) * dim(rng, false);
    return { args: [zeros(rng, n), floats(rng, n), floats(rng, n, 0, 2), lastArg(rng)], outputs: [0] };
  },
  denseForward(rng, weird) {
    const [n, i, u] = [dim(rng, weird), dim(rng, weird), dim(rng, weird)];
    return { args: [zeros(rng, n * u), floats(rng, n * i), floats(rng, i * u), optional(rng, () => floats(rng, u)), n, i, u, lastArg(rng)], outputs: [0] };
  },
  denseBackward(rng, weird) {
    const [n, i, u] = [dim(rng, weird), dim(rng, weird), dim(rng, weird)];
    return {
      args: [optional(rng, () => zeros(rng, n * i)), zeros(rng, i * u), optional(rng, () => zeros(rng, u)), floats(rng, n * u), floats(rng, n * i), floats(rng, i * u), n, i, u, bool(rng), lastArg(rng)],
      outputs: [0, 1, 2],
    };
  },
  logMelSpectrogram(rng, weird) {
    const fftSize = weird && rng.chance(0.3) ? rng.pick([0, 1, 3, 6, 2 ** 16, 2 ** 17, 2 ** 31]) : 2 ** rng.int(1, 8);
    const frameLength = rng.int(1, Math.max(1, Math.min(fftSize, 256)));
    const hop = weird && rng.chance(0.3) ? rng.pick([0, 1, 2 ** 31, 2 ** 40]) : rng.int(1, 64);
    const clipCount = dim(rng, weird, 0, 2);
    const sampleCount = weird && rng.chance(0.3) ? rng.pick([0, 1, 2 ** 31, 2 ** 40]) : rng.int(0, 600);
    const sampleRate = weird && rng.chance(0.3) ? rng.pick([0, -1, 1, 1e7, 1e8, NaN]) : rng.pick([8000, 16000, 22050]);
    const melBins = weird && rng.chance(0.3) ? rng.pick([0, 1, 4096, 4097]) : rng.int(1, 40);
    const fMin = rng.uniform(0, 100);
    const fMax = weird && rng.chance(0.3) ? rng.pick([fMin, sampleRate, sampleRate / 2, 0]) : rng.uniform(fMin + 1, sampleRate / 2);
    const frames = sampleCount < frameLength ? 0 : 1 + Math.floor((sampleCount - frameLength) / hop);
    return {
      args: [zeros(rng, clipCount * frames * melBins), floats(rng, clipCount * sampleCount), clipCount, sampleCount, frameLength, hop, sampleRate, fftSize, melBins, fMin, fMax,
        weird && rng.chance(0.2) ? rng.pick([0, -1e-6]) : 1e-6, lastArg(rng)],
      outputs: [0],
    };
  },
  melFilterbank(rng, weird) {
    const fftSize = weird && rng.chance(0.3) ? rng.pick([0, 3, 2 ** 16, 2 ** 17]) : 2 ** rng.int(1, 9);
    const melBins = weird && rng.chance(0.3) ? rng.pick([0, 4096, 4097]) : rng.int(1, 40);
    const sampleRate = rng.pick([8000, 16000]);
    const count = (Math.floor(fftSize / 2) + 1) * melBins;
    const out = allocatable(count) ? new Float64Array(count) : new Float64Array(3);
    return { args: [out, sampleRate, fftSize, melBins, rng.uniform(0, 50), rng.uniform(100, sampleRate / 2)], outputs: [0] };
  },
  backendInfo: () => ({ args: [], outputs: [] }),
  getNumThreads: () => ({ args: [], outputs: [] }),
  setNumThreads: (rng) => ({ args: [rng.int(1, 4)], outputs: [] }),
  setIsa: (rng) => ({ args: [rng.pick(native.backendInfo().supportedIsas)], outputs: [] }),
  // Only wrong arguments: a working error class is set by lib/native.ts and restored after each call.
  setErrorClass: (rng) => ({ args: [M.wrongValue(rng)], outputs: [], neverValid: true }),
  setBufferPinner: (rng) => ({ args: [M.wrongValue(rng)], outputs: [], neverValid: true }),
};

function poolForward(rng, weird) {
  const { g, sizes } = windowArrays(rng, weird, true);
  return { args: [zeros(rng, sizes.y), floats(rng, sizes.x), g, lastArg(rng)], outputs: [0] };
}

function globalForward(rng, weird) {
  const [n, s, c] = [dim(rng, weird), dim(rng, weird, 1), dim(rng, weird, 1)];
  return { args: [zeros(rng, n * c), floats(rng, n * s * c), n, s, c, lastArg(rng)], outputs: [0] };
}

function elementwiseLoss(rng, weird, epsilon) {
  const n = dim(rng, weird, 1) * dim(rng, false, 1);
  const args = [new Float32Array(1), zeros(rng, n), floats(rng, n, 0, 1), floats(rng, n, 0.01, 0.99)];
  if (epsilon) args.push(rng.uniform(1e-7, 0.1));
  args.push(lastArg(rng));
  return { args, outputs: [0, 1] };
}

// ---- calling -------------------------------------------------------------------------------------

/** Calls fn; returns { error } or { value, async } (an awaited Promise counts as a value). */
async function invoke(fn, thisArg, args) {
  let value;
  try {
    value = fn.apply(thisArg, args);
  } catch (error) {
    return { error };
  }
  if (value instanceof Promise) {
    try {
      await value;
      return { value: undefined, async: true };
    } catch (error) {
      return { error };
    }
  }
  return { value, async: false };
}

function describeCall(name, args, note) {
  return `${name}(${args.map(M.describeValue).join(', ')})${note ? ` [${note}]` : ''}`;
}

function allFinite(array) {
  for (let i = 0; i < array.length; ++i) if (!Number.isFinite(array[i])) return false;
  return true;
}

/** Puts the global state the backend functions change back as lib/native.ts left it. */
function restoreBackend(threads) {
  native.setErrorClass(FaltungError);
  native.setBufferPinner(pinBuffer);
  native.setIsa(native.backendInfo().bestIsa);
  native.setNumThreads(threads);
}

async function fuzzFunction(name, generate, rng, count, tally, threads) {
  const fn = native[name];
  for (let i = 0; i < count; ++i) {
    const mode = rng.next();
    let made;
    let note = '';
    let clean = false;  // a valid call whose outputs must come back finite
    if (mode < 0.35) {
      made = generate(rng, false);
      clean = !made.neverValid;
    } else if (mode < 0.6) {
      made = generate(rng, true);
    } else if (mode < 0.9) {
      made = generate(rng, false);
      note = M.mutateArguments(rng, made.args);
    } else if (mode < 0.93) {
      made = generate(rng, false);
      made.args = M.mutateArity(rng, made.args);
      note = 'arity';
    } else if (mode < 0.97) {
      // Every array empty (a non-null view at the end of a buffer) and dimensions 0 or huge: a call
      // some kernel could loop over for hours without any data behind it (a hang, caught by the parent).
      made = generate(rng, false);
      made.args = made.args.map((value) => {
        if (ArrayBuffer.isView(value) && !(value instanceof DataView) && !Buffer.isBuffer(value)) return new value.constructor(8).subarray(8);
        if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2 ** 40) return rng.pick([0, 0, 2 ** 40, 2 ** 31 - 1, value]);
        return value;
      });
      note = 'empty arrays, huge dimensions';
    } else {
      made = { args: Array.from({ length: rng.int(0, 15) }, () => M.wrongValue(rng)), outputs: [] };
      note = 'random';
    }
    const { args } = made;
    const input = () => describeCall(name, args, note);
    const outcome = await invoke(fn, native, args);
    if ('error' in outcome) {
      tally.rejected(name, outcome.error, input());
      if (clean) tally.violation(name, `a valid call was refused: ${outcome.error?.message}`, input());
    } else {
      tally.accepted(name);
      if (clean) {
        const asyncWanted = args.length > 0 && args[args.length - 1] === true && name !== 'setErrorClass';
        tally.check(name, outcome.async === asyncWanted || name === 'backendInfo' || name === 'getNumThreads',
          `returned ${outcome.async ? 'a Promise' : 'no Promise'} for async=${asyncWanted}`, input());
        for (const index of made.outputs) {
          const out = args[index];
          if (out === null) continue;
          tally.check(name, allFinite(out), `output argument ${index} holds a non-finite value after a valid call`, input());
        }
      }
    }
    if (name.startsWith('set')) restoreBackend(threads);
  }
}

/**
 * Deterministic sweep: every array empty (a non-null view at the end of a buffer), every integer
 * argument 2^40 except one or two of them 0, so that some calls are accepted with dimensions no
 * data backs. A kernel looping over such a dimension would hang (the parent's timeout).
 */
async function sweepEmpty(name, generate, rng, tally) {
  const template = generate(rng, false).args;
  const integers = template.map((value, index) => (typeof value === 'number' && Number.isInteger(value) ? index : -1)).filter((index) => index >= 0);
  const zeroSets = [[]];
  integers.forEach((a, i) => {
    zeroSets.push([a]);
    integers.slice(i + 1).forEach((b) => zeroSets.push([a, b]));
  });
  for (const zeros of zeroSets) {
    const args = template.map((value, index) => {
      if (ArrayBuffer.isView(value) && !(value instanceof DataView) && !Buffer.isBuffer(value)) return new value.constructor(8).subarray(8);
      if (integers.includes(index)) return zeros.includes(index) ? 0 : 2 ** 40;
      return value;
    });
    const outcome = await invoke(native[name], native, args);
    if ('error' in outcome) tally.rejected(`${name}.empty`, outcome.error, describeCall(name, args, 'empty sweep'));
    else tally.accepted(`${name}.empty`);
  }
}

// ---- the Network class -------------------------------------------------------------------------------

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

// ---- main ----------------------------------------------------------------------------------------

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const tally = new M.Tally('native', options.seed, options.multiplier);
  const threads = native.getNumThreads();
  const exported = Object.keys(native);
  const missing = exported.filter((name) => name !== 'Network' && !(name in GENERATORS));
  if (missing.length > 0) tally.violation('coverage', `exported functions without a fuzz generator: ${missing.join(', ')}`, exported.join(', '));
  tally.report.exported = exported;
  const scaled = (count) => Math.max(1, Math.round(count * options.multiplier));
  for (const name of exported) {
    if (options.only !== null && options.only !== name) continue;
    process.stderr.write(`fuzzing ${name}\n`);
    const rng = new M.FuzzRandom(M.seedFor(options.seed, name));
    if (name === 'Network') await fuzzNetwork(rng, scaled(NETWORK_SPECS), tally);
    else if (name in GENERATORS) {
      await fuzzFunction(name, GENERATORS[name], rng, scaled(CALLS_PER_FUNCTION), tally, threads);
      if (!name.startsWith('set')) await sweepEmpty(name, GENERATORS[name], rng, tally);
    }
  }
  if (options.only === null || options.only === 'hostile') {
    process.stderr.write('fuzzing hostile async buffers\n');
    await fuzzHostile(new M.FuzzRandom(M.seedFor(options.seed, 'hostile')), scaled(HOSTILE_PER_TARGET), tally);
  }
  restoreBackend(threads);
  process.stdout.write(`${JSON.stringify(tally.report)}\n`);
}

main().catch((error) => {
  process.stderr.write(`fuzz driver failed: ${error?.stack ?? error}\n`);
  process.exitCode = 70;
});
