// The per-export call generators of the native fuzzer (test/fuzz/native-child.js): for each function
// the addon exports, a seeded valid call (small random sizes, arrays sized to match) or, with
// `weird`, one with edge dimensions; plus the small helpers to invoke and describe a call.
// Deliberately no mutation here (mutators.js) and no Network (native-network.js).
'use strict';
const { native } = require('../../dist/native.js');
const M = require('./mutators.js');

/** Largest array a generated call allocates (elements); bigger claims get small wrong arrays. */
const MAX_ALLOC = 1 << 16;

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
  convBackwardFilterBias(rng, weird) {
    const { g, sizes } = windowArrays(rng, weird, false);
    return { args: [zeros(rng, sizes.filter), zeros(rng, sizes.channels), floats(rng, sizes.x), floats(rng, sizes.y), g, lastArg(rng)], outputs: [0, 1] };
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
  // The output pool (native/binding/output_pool.cc). Its boolean last argument is no async flag
  // (`sync`); valid lengths stay small, weird ones are mostly refusals (never a multi-GB buffer).
  allocateOutput(rng, weird) {
    const length = weird ? rng.pick([-1, 1.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53, 0, 1, 1023, 1024, 1025])
      : rng.int(0, MAX_ALLOC);
    const zeroed = bool(rng);
    const check = (value) => value instanceof Float32Array && value.length === length && value.byteOffset === 0 &&
      (!zeroed || value.every((x) => x === 0));
    return { args: [length, zeroed], outputs: [], sync: true, check };
  },
  outputPoolStats: () => ({ args: [], outputs: [] }),
  setOutputPoolLimits: (rng) => ({ args: [rng.int(0, 1 << 24), rng.int(0, 1 << 26), rng.int(0, 1 << 26)], outputs: [] }),
  setOutputPoolPoison: (rng) => ({ args: [bool(rng)], outputs: [], sync: true }),
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


module.exports = { GENERATORS, GEOMETRY_EDGES, allocatable, bool, lastArg, invoke, describeCall, allFinite };
