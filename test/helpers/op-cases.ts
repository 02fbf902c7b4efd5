// Every fg.ops op that returns outputs, as cases on fixed seeded inputs: pool-sized and odd shapes,
// and geometries for each kernel path (direct, im2col, pointwise, col2im, gaps, empty batch).
// Deliberately no expected values: test/output-pool.test.ts compares each case with itself.
import * as fg from '../../lib/index';
import { TestRandom } from './random';

type Tensor = fg.Tensor;
type Padding = fg.ops.Padding;

/** Whatever an op returns: a Tensor, a number, or an object of those. */
export type OpResult = Tensor | number | object;

export interface OpCase {
  /** The fg.ops function this case calls. */
  op: string;
  label: string;
  run(): OpResult | Promise<OpResult>;
}

/** The float outputs of a result, in a fixed order (numbers as one-element arrays). */
export function outputsOf(result: OpResult): Float32Array[] {
  if (result instanceof fg.Tensor) return [result.data];
  if (typeof result === 'number') return [Float32Array.of(result)];
  return Object.keys(result).sort().flatMap((key) => outputsOf((result as Record<string, OpResult>)[key]));
}

let seed = 1;
function random(shape: number[], low = -1, high = 1): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return fg.tensor(new TestRandom(seed++).floats(size, low, high), shape);
}

function positive(shape: number[]): Tensor {
  return random(shape, 0.5, 2);
}

function oneHot(rows: number, classes: number): Tensor {
  const data = new Float32Array(rows * classes);
  for (let r = 0; r < rows; ++r) data[r * classes + ((r * 7) % classes)] = 1;
  return fg.tensor(data, [rows, classes]);
}

function add(cases: OpCase[], op: string, label: string, run: () => OpResult | Promise<OpResult>): void {
  cases.push({ op, label, run });
}

function matmulCases(cases: OpCase[]): void {
  const shapes: [string, Tensor, Tensor, boolean, boolean][] = [
    ['300x40 * 40x100', random([300, 40]), random([40, 100]), false, false],
    ['odd, both transposed', random([33, 67]), random([129, 33]), true, true],
    ['K = 0', random([5, 0]), random([0, 7]), false, false],
  ];
  for (const [label, a, b, ta, tb] of shapes) {
    add(cases, 'matMul', label, () => fg.ops.matMul(a, b, ta, tb));
    add(cases, 'matMulAsync', label, () => fg.ops.matMulAsync(a, b, ta, tb));
  }
  const dense: [string, Tensor, Tensor, Tensor | null, Tensor][] = [
    ['130x70 -> 129', random([130, 70]), random([70, 129]), random([129]), random([130, 129])],
    ['no bias, odd', random([9, 13]), random([13, 5]), null, random([9, 5])],
    ['I = 0', random([4, 0]), random([0, 5]), null, random([4, 5])],
    ['I = 0 with bias', random([4, 0]), random([0, 5]), random([5]), random([4, 5])],
    ['N = 0', random([0, 3]), random([3, 5]), random([5]), random([0, 5])],
  ];
  for (const [label, x, kernel, bias, dy] of dense) {
    add(cases, 'dense', label, () => fg.ops.dense(x, kernel, bias));
    add(cases, 'denseAsync', label, () => fg.ops.denseAsync(x, kernel, bias));
    add(cases, 'denseGrad', label, () => fg.ops.denseGrad(dy, x, kernel));
  }
}

function activationCases(cases: OpCase[]): void {
  for (const [label, shape] of [['70001 values', [70001]], ['odd 3x5x7', [3, 5, 7]]] as [string, number[]][]) {
    const x = random(shape, -3, 3);
    const dy = random(shape);
    for (const kind of fg.ops.ACTIVATION_KINDS) {
      const y = fg.ops.activation(kind, x);
      add(cases, 'activation', `${kind} ${label}`, () => fg.ops.activation(kind, x));
      add(cases, 'activationAsync', `${kind} ${label}`, () => fg.ops.activationAsync(kind, x));
      add(cases, 'activationGrad', `${kind} ${label}`, () => fg.ops.activationGrad(kind, dy, y));
    }
    const named: [string, (x: Tensor) => Tensor, (dy: Tensor, y: Tensor) => Tensor][] = [
      ['relu', fg.ops.relu, fg.ops.reluGrad], ['leakyRelu', (t) => fg.ops.leakyRelu(t), (d, y) => fg.ops.leakyReluGrad(d, y)],
      ['elu', (t) => fg.ops.elu(t), (d, y) => fg.ops.eluGrad(d, y)], ['sigmoid', fg.ops.sigmoid, fg.ops.sigmoidGrad],
      ['tanh', fg.ops.tanh, fg.ops.tanhGrad],
    ];
    for (const [name, forward, backward] of named) {
      const y = forward(x);
      add(cases, name, label, () => forward(x));
      add(cases, `${name}Grad`, label, () => backward(dy, y));
    }
  }
  for (const [label, shape] of [['301x67', [301, 67]], ['odd 2x3x5', [2, 3, 5]], ['one class', [7, 1]]] as [string, number[]][]) {
    const logits = random(shape, -4, 4);
    const y = fg.ops.softmax(logits);
    const dy = random(shape);
    add(cases, 'softmax', label, () => fg.ops.softmax(logits));
    add(cases, 'softmaxAsync', label, () => fg.ops.softmaxAsync(logits));
    add(cases, 'softmaxGrad', label, () => fg.ops.softmaxGrad(dy, y));
  }
}

function lossCases(cases: OpCase[]): void {
  for (const [label, rows, classes] of [['301x67', 301, 67], ['odd 5x3', 5, 3], ['no rows', 0, 4]] as [string, number, number][]) {
    const logits = random([rows, classes], -4, 4);
    const labels = oneHot(rows, classes);
    const indices = Int32Array.from({ length: rows }, (_, r) => (r * 7) % classes);
    add(cases, 'softmaxCrossEntropy', label, () => fg.ops.softmaxCrossEntropy(labels, logits));
    add(cases, 'softmaxCrossEntropyAsync', label, () => fg.ops.softmaxCrossEntropyAsync(labels, logits));
    add(cases, 'sparseSoftmaxCrossEntropy', label, () => fg.ops.sparseSoftmaxCrossEntropy(indices, logits));
    const targets = random([rows, classes], 0, 1);
    const probabilities = random([rows, classes], 0.01, 0.99);
    add(cases, 'meanSquaredError', label, () => fg.ops.meanSquaredError(targets, logits));
    add(cases, 'binaryCrossentropy', label, () => fg.ops.binaryCrossentropy(targets, probabilities));
    add(cases, 'sigmoidCrossEntropy', label, () => fg.ops.sigmoidCrossEntropy(targets, logits));
  }
}

function batchNormCases(cases: OpCase[]): void {
  for (const [label, shape] of [['40x30x17', [40, 30, 17]], ['odd 3x5', [3, 5]]] as [string, number[]][]) {
    const channels = shape[shape.length - 1];
    const x = random(shape, -2, 3);
    const dy = random(shape);
    const mean = random([channels]);
    const variance = positive([channels]);
    const offset = random([channels]);
    const scale = positive([channels]);
    // The moving statistics are updated in place: each run starts from the same copies.
    const moving = () => [fg.tensor(mean.data.slice(), [channels]), fg.tensor(variance.data.slice(), [channels])];
    add(cases, 'batchNorm', label, () => fg.ops.batchNorm(x, mean, variance, offset, scale));
    add(cases, 'batchNorm', `${label}, default offset and scale`, () => fg.ops.batchNorm(x, mean, variance));
    add(cases, 'batchNormTraining', label, () => {
      const [m, v] = moving();
      return { ...fg.ops.batchNormTraining(x, m, v, offset, scale), m, v };
    });
    add(cases, 'batchNormTrainingAsync', label, async () => {
      const [m, v] = moving();
      return { ...(await fg.ops.batchNormTrainingAsync(x, m, v, offset, scale)), m, v };
    });
    const saved = fg.ops.batchNormTraining(x, moving()[0], moving()[1], offset, scale);
    add(cases, 'batchNormGrad', label, () => fg.ops.batchNormGrad(dy, x, scale, saved.mean, saved.invStd));
    add(cases, 'batchNormGradAsync', label, () => fg.ops.batchNormGradAsync(dy, x, scale, saved.mean, saved.invStd));
  }
}

function dropoutCases(cases: OpCase[]): void {
  for (const [label, shape] of [['70001 values', [70001]], ['odd 3x7', [3, 7]]] as [string, number[]][]) {
    const x = random(shape);
    const dy = random(shape);
    const { mask } = fg.ops.dropout(x, 0.3, 11);
    add(cases, 'dropout', label, () => fg.ops.dropout(x, 0.3, 11));
    add(cases, 'dropoutAsync', label, () => fg.ops.dropoutAsync(x, 0.3, 11));
    add(cases, 'dropoutGrad', label, () => fg.ops.dropoutGrad(dy, mask));
  }
}

interface ConvConfig {
  label: string;
  x: number[];
  filter: number[];
  strides: number | number[];
  pad: Padding;
  dilations: number | number[];
}

const CONV_CONFIGS: Record<1 | 2 | 3, ConvConfig[]> = {
  1: [
    { label: 'im2col, same, stride 2', x: [3, 50, 5], filter: [3, 5, 9], strides: 2, pad: 'same', dilations: 1 },
    { label: 'direct, dilation 2', x: [2, 40, 2], filter: [3, 2, 16], strides: 1, pad: 'valid', dilations: 2 },
    { label: 'one channel, 3 taps', x: [3, 37, 1], filter: [3, 1, 16], strides: 1, pad: 'same', dilations: 1 },
    { label: 'one channel, 5 taps', x: [2, 41, 1], filter: [5, 1, 32], strides: 1, pad: 'valid', dilations: 1 },
  ],
  2: [
    { label: 'direct 4x30x30x3 -> 16', x: [4, 30, 30, 3], filter: [3, 3, 3, 16], strides: 1, pad: 'valid', dilations: 1 },
    { label: 'one channel 4x28x28x1 -> 32', x: [4, 28, 28, 1], filter: [3, 3, 1, 32], strides: 1, pad: 'valid', dilations: 1 },
    { label: 'one channel 5x5, same, odd width', x: [2, 19, 23, 1], filter: [5, 5, 1, 16], strides: 1, pad: 'same', dilations: 1 },
    { label: 'im2col, same, strides 2x1', x: [3, 11, 9, 7], filter: [3, 2, 7, 5], strides: [2, 1], pad: 'same', dilations: 1 },
    { label: 'pointwise', x: [2, 9, 9, 8], filter: [1, 1, 8, 12], strides: 1, pad: 'valid', dilations: 1 },
    { label: 'dilation 3 leaves input gaps', x: [2, 9, 8, 2], filter: [2, 2, 2, 16], strides: 1, pad: 'valid', dilations: 3 },
    { label: 'stride 3 past a 2-window, pad 1', x: [2, 10, 10, 5], filter: [2, 2, 5, 6], strides: 3, pad: 1, dilations: 1 },
    { label: 'empty batch', x: [0, 5, 5, 2], filter: [3, 3, 2, 4], strides: 1, pad: 'same', dilations: 1 },
  ],
  3: [
    { label: 'direct', x: [2, 5, 6, 7, 3], filter: [2, 3, 2, 3, 16], strides: 1, pad: 'valid', dilations: 1 },
    { label: 'one channel 3x3x3', x: [2, 5, 6, 7, 1], filter: [3, 3, 3, 1, 16], strides: 1, pad: 'same', dilations: 1 },
    { label: 'im2col, same, strides 2x1x2', x: [1, 6, 5, 4, 6], filter: [3, 2, 2, 6, 4], strides: [2, 1, 2], pad: 'same', dilations: 1 },
  ],
};

// The rank's ops by name, with the loose signature the table calls them through.
type ConvOp = (...args: unknown[]) => OpResult | Promise<OpResult>;
function convOps(rank: 1 | 2 | 3): Record<string, ConvOp> {
  const names = [`conv${rank}d`, `conv${rank}dWithBias`, `conv${rank}dBackpropInput`, `conv${rank}dBackpropFilter`];
  const ops = fg.ops as unknown as Record<string, ConvOp>;
  return Object.fromEntries(names.flatMap((name) => [[name, ops[name]], [`${name}Async`, ops[`${name}Async`]]]));
}

function convCases(cases: OpCase[]): void {
  for (const rank of [1, 2, 3] as const) {
    const ops = convOps(rank);
    for (const config of CONV_CONFIGS[rank]) {
      const x = random(config.x);
      const filter = random(config.filter);
      const bias = random([config.filter[rank + 1]]);
      const y = fg.ops[`conv${rank}d` as 'conv2d'](x, filter, config.strides as number, config.pad, config.dilations as number);
      const dy = random([...y.shape]);
      const { strides, pad, dilations } = config;
      for (const async of ['', 'Async']) {
        const name = (base: string) => `${base}${async}`;
        add(cases, name(`conv${rank}d`), config.label, () => ops[name(`conv${rank}d`)](x, filter, strides, pad, dilations));
        add(cases, name(`conv${rank}dWithBias`), `${config.label}, relu`,
          () => ops[name(`conv${rank}dWithBias`)](x, filter, bias, strides, pad, dilations, 'relu'));
        add(cases, name(`conv${rank}dBackpropInput`), config.label,
          () => ops[name(`conv${rank}dBackpropInput`)](config.x, dy, filter, strides, pad, dilations));
        add(cases, name(`conv${rank}dBackpropFilter`), config.label,
          () => ops[name(`conv${rank}dBackpropFilter`)](x, dy, config.filter, strides, pad, dilations));
        add(cases, name('convBiasGrad'), `rank ${rank} ${config.label}`,
          () => (async ? fg.ops.convBiasGradAsync(dy) : fg.ops.convBiasGrad(dy)));
      }
    }
  }
}

interface PoolConfig {
  label: string;
  x: number[];
  window: number | number[];
  strides: number | number[];
  pad: Padding;
}

const POOL_CONFIGS: Record<1 | 2 | 3, PoolConfig[]> = {
  1: [
    { label: 'same, stride 2', x: [3, 31, 5], window: 3, strides: 2, pad: 'same' },
    { label: 'stride 3 past a 2-window', x: [2, 20, 4], window: 2, strides: 3, pad: 'valid' },
  ],
  2: [
    { label: 'unpadded 4x28x28x32', x: [4, 28, 28, 32], window: 2, strides: 2, pad: 'valid' },
    { label: 'same, 3x3 stride 2', x: [3, 9, 11, 5], window: 3, strides: 2, pad: 'same' },
    { label: 'stride 3 past a 2-window', x: [2, 10, 10, 3], window: 2, strides: 3, pad: 'valid' },
    { label: 'explicit pad 1', x: [2, 7, 6, 17], window: [3, 2], strides: [2, 1], pad: 1 },
  ],
  3: [
    { label: 'valid 2x2x2', x: [2, 6, 7, 8, 3], window: 2, strides: 2, pad: 'valid' },
    { label: 'same, strides 1x2x3', x: [1, 5, 6, 7, 4], window: [2, 3, 2], strides: [1, 2, 3], pad: 'same' },
  ],
};

function poolCases(cases: OpCase[]): void {
  const ops = fg.ops as unknown as Record<string, ConvOp>;
  const suffix = { 1: '1d', 2: '', 3: '3d' } as const;
  for (const rank of [1, 2, 3] as const) {
    for (const config of POOL_CONFIGS[rank]) {
      const x = random(config.x);
      const { window, strides, pad } = config;
      for (const kind of ['maxPool', 'avgPool']) {
        const base = `${kind}${suffix[rank]}`;
        const y = ops[base](x, window, strides, pad) as Tensor;
        const dy = random([...y.shape]);
        for (const async of ['', 'Async']) {
          add(cases, `${base}${async}`, config.label, () => ops[`${base}${async}`](x, window, strides, pad));
          add(cases, `${base}Grad${async}`, config.label, () => ops[`${base}Grad${async}`](dy, x, window, strides, pad));
        }
      }
    }
  }
  for (const [label, shape] of [['5x7x9x13', [5, 7, 9, 13]], ['rank 3, odd', [3, 11, 5]], ['rank 5', [2, 3, 4, 5, 6]]] as [string, number[]][]) {
    const x = random(shape);
    const dy = random([shape[0], shape[shape.length - 1]]);
    for (const kind of ['globalAvgPool', 'globalMaxPool']) {
      for (const async of ['', 'Async']) {
        add(cases, `${kind}${async}`, label, () => ops[`${kind}${async}`](x));
        add(cases, `${kind}Grad${async}`, label, () => ops[`${kind}Grad${async}`](dy, x));
      }
    }
  }
}

/** Every case, on inputs fixed by seed. */
export function opCases(): OpCase[] {
  seed = 1;
  const cases: OpCase[] = [];
  matmulCases(cases);
  activationCases(cases);
  lossCases(cases);
  batchNormCases(cases);
  dropoutCases(cases);
  convCases(cases);
  poolCases(cases);
  return cases;
}

/** fg.ops exports that allocate nothing: in-place optimizer updates, shape helpers, constants. */
export const NO_OUTPUT = new Set(['applySgd', 'applyMomentum', 'applyAdam', 'applyAdamW', 'applyRmsprop',
  'convOutputShape', 'poolOutputShape', 'windowOutputSize', 'ACTIVATION_KINDS']);
