// The pure-JavaScript baseline network for bench/peers/: conv (bench/baseline/js-conv.js), ReLU,
// 2x2 max-pool, flatten, dropout, dense (bench/baseline/js-gemm.js), softmax with categorical
// cross-entropy and Adam, forward and backward, on Float32Arrays, NHWC, batch-major. Written the
// way one would without a library: straightforward loops, one thread, no SIMD, no workers.
'use strict';
const { convForward, convBackward, geometry } = require('./js-conv');
const { jsGemm } = require('./js-gemm');
const { randomFloats } = require('../lib/timing');

/** Glorot-uniform weights (Keras' default): limit sqrt(6 / (fanIn + fanOut)). */
function glorot(count, fanIn, fanOut, seed) {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const values = randomFloats(count, seed);
  for (let i = 0; i < count; ++i) values[i] *= limit;
  return values;
}

function param(value) {
  return { value, grad: new Float32Array(value.length) };
}

function reluInPlace(y) {
  for (let i = 0; i < y.length; ++i) if (y[i] < 0) y[i] = 0;
}

/** dy where y > 0, else 0 (y is the layer's ReLU output). */
function reluBackward(dy, y) {
  const out = new Float32Array(dy.length);
  for (let i = 0; i < dy.length; ++i) out[i] = y[i] > 0 ? dy[i] : 0;
  return out;
}

/** Conv 3x3-style layer, stride 1, 'valid' or 'same', optional ReLU: (n,H,W,C) -> (n,OH,OW,OC). */
function convLayer([H, W, C], spec, seed) {
  const K = spec.kernel;
  const OC = spec.filters;
  const shape = { H, W, C, OC, K, pad: spec.pad };
  const { OH, OW } = geometry(shape);
  const filter = param(glorot(K * K * C * OC, K * K * C, K * K * OC, seed));
  const bias = param(new Float32Array(OC));
  let x = null;
  let y = null;
  return {
    outputShape: [OH, OW, OC],
    params: [filter, bias],
    forward(input, n) {
      x = input;
      y = convForward(input, filter.value, bias.value, shape, 0, n);
      if (spec.activation === 'relu') reluInPlace(y);
      return y;
    },
    backward(dy, n) {
      const grads = convBackward(x, filter.value, spec.activation === 'relu' ? reluBackward(dy, y) : dy, shape, 0, n);
      filter.grad.set(grads.dfilter);
      bias.grad.set(grads.dbias);
      return grads.dx;
    },
  };
}

/** 2x2 max-pool, stride 2, remainder rows/columns dropped (Keras 'valid'). */
function maxPoolLayer([H, W, C]) {
  const OH = Math.floor(H / 2);
  const OW = Math.floor(W / 2);
  let argmax = null;
  return {
    outputShape: [OH, OW, C],
    params: [],
    forward(x, n) {
      const y = new Float32Array(n * OH * OW * C);
      argmax = new Int32Array(y.length);
      let out = 0;
      for (let b = 0; b < n; ++b) {
        for (let oh = 0; oh < OH; ++oh) {
          for (let ow = 0; ow < OW; ++ow) {
            for (let c = 0; c < C; ++c, ++out) {
              let best = -Infinity;
              let where = 0;
              for (let dh = 0; dh < 2; ++dh) {
                for (let dw = 0; dw < 2; ++dw) {
                  const at = ((b * H + 2 * oh + dh) * W + 2 * ow + dw) * C + c;
                  if (x[at] > best) { best = x[at]; where = at; }
                }
              }
              y[out] = best;
              argmax[out] = where;
            }
          }
        }
      }
      return y;
    },
    backward(dy, n) {
      const dx = new Float32Array(n * H * W * C);
      for (let i = 0; i < dy.length; ++i) dx[argmax[i]] += dy[i];
      return dx;
    },
  };
}

/** Inverted dropout: in training, zero each value with probability `rate` and scale the rest. */
function dropoutLayer(inputShape, spec, seed) {
  let state = seed >>> 0;
  let mask = null;
  const scale = 1 / (1 - spec.rate);
  return {
    outputShape: inputShape,
    params: [],
    forward(x, n, training) {
      if (!training) return x;
      const y = new Float32Array(x.length);
      mask = new Uint8Array(x.length);
      for (let i = 0; i < x.length; ++i) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        if (state / 2 ** 32 >= spec.rate) { mask[i] = 1; y[i] = x[i] * scale; }
      }
      return y;
    },
    backward(dy) {
      const dx = new Float32Array(dy.length);
      for (let i = 0; i < dy.length; ++i) if (mask[i]) dx[i] = dy[i] * scale;
      return dx;
    },
  };
}

/** Dense layer (n,in) -> (n,units), ReLU or softmax; softmax's gradient is fused into the loss. */
function denseLayer(inputShape, spec, seed) {
  const inputs = inputShape.reduce((a, b) => a * b, 1);
  const units = spec.units;
  const weights = param(glorot(inputs * units, inputs, units, seed));
  const bias = param(new Float32Array(units));
  let x = null;
  let y = null;
  return {
    outputShape: [units],
    params: [weights, bias],
    forward(input, n) {
      x = input;
      y = new Float32Array(n * units);
      jsGemm(y, input, weights.value, n, units, inputs);
      for (let b = 0; b < n; ++b) for (let u = 0; u < units; ++u) y[b * units + u] += bias.value[u];
      if (spec.activation === 'relu') reluInPlace(y);
      if (spec.activation === 'softmax') {
        for (let b = 0; b < n; ++b) {
          const row = y.subarray(b * units, (b + 1) * units);
          let max = -Infinity;
          for (const v of row) max = Math.max(max, v);
          let sum = 0;
          for (let u = 0; u < units; ++u) { row[u] = Math.exp(row[u] - max); sum += row[u]; }
          for (let u = 0; u < units; ++u) row[u] /= sum;
        }
      }
      return y;
    },
    backward(dy, n) {
      const g = spec.activation === 'relu' ? reluBackward(dy, y) : dy;
      jsGemm(weights.grad, x, g, inputs, units, n, true, false);
      bias.grad.fill(0);
      for (let b = 0; b < n; ++b) for (let u = 0; u < units; ++u) bias.grad[u] += g[b * units + u];
      const dx = new Float32Array(n * inputs);
      jsGemm(dx, g, weights.value, n, inputs, units, false, true);
      return dx;
    },
  };
}

/**
 * A network from a bench/peers/models.js layer list: { forward(x, n, training) -> softmax rows,
 * gradients(x, oneHot, n) -> mean cross-entropy (grads filled), trainStep (the same, then an Adam
 * update), params ([{ value, grad }] in layer order), countParams() }.
 */
function createJsNetwork(model, { seed = 1, learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = {}) {
  let shape = model.inputShape;
  const layers = [];
  model.layers.forEach((spec, index) => {
    const layerSeed = seed * 1000 + index;
    const make = { conv: convLayer, maxpool: maxPoolLayer, dropout: dropoutLayer, dense: denseLayer,
      flatten: (s) => ({ outputShape: [s.reduce((a, b) => a * b, 1)], params: [], forward: (x) => x, backward: (dy) => dy }) }[spec.type];
    const layer = make(shape, spec, layerSeed);
    layers.push(layer);
    shape = layer.outputShape;
  });
  const params = layers.flatMap((layer) => layer.params);
  const moments = params.map((p) => ({ m: new Float32Array(p.value.length), v: new Float32Array(p.value.length) }));
  let step = 0;

  function forward(x, n, training = false) {
    let y = x;
    for (const layer of layers) y = layer.forward(y, n, training);
    return y;
  }

  /** Mean cross-entropy of a training-mode forward pass; fills every param's grad. */
  function gradients(x, oneHot, n) {
    const probabilities = forward(x, n, true);
    let loss = 0;
    const dlogits = new Float32Array(probabilities.length);
    for (let i = 0; i < probabilities.length; ++i) {
      if (oneHot[i] > 0) loss -= oneHot[i] * Math.log(Math.max(probabilities[i], 1e-7));
      dlogits[i] = (probabilities[i] - oneHot[i]) / n;
    }
    let dy = dlogits;
    for (let i = layers.length - 1; i >= 0; --i) dy = layers[i].backward(dy, n);
    return loss / n;
  }

  /** gradients(), then one Adam update (Keras' formula); returns the loss before the update. */
  function trainStep(x, oneHot, n) {
    const loss = gradients(x, oneHot, n);
    step += 1;
    const rate = (learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
    params.forEach((p, index) => {
      const { m, v } = moments[index];
      for (let i = 0; i < p.value.length; ++i) {
        const g = p.grad[i];
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        p.value[i] -= (rate * m[i]) / (Math.sqrt(v[i]) + epsilon);
      }
    });
    return loss;
  }

  return { forward, gradients, trainStep, params, countParams: () => params.reduce((sum, p) => sum + p.value.length, 0) };
}

module.exports = { createJsNetwork };
