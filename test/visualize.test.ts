// fg.visualize pictures checked on their pixels, not only their existence: filters of layers with
// known weights, feature maps against an independent convolution of a known input, and the votes
// bars against the scores. PNGs are decoded with sharp, so the label overlay is part of what is read.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as fg from '../lib/index';
import { divergingColor, encodePng, featureMaps, filterPicture, filters, votes, votesPicture } from '../lib/visualize/index';
import { tileOrigin } from '../lib/visualize/layout';
import type { Conv } from '../lib/layers/conv';

const L = fg.layers;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faltung-visualize-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Decoded { width: number; height: number; at(x: number, y: number): number[] }

async function decode(file: string): Promise<Decoded> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    at: (x, y) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)),
  };
}

/** Every pixel of the block [x, x+size) x [y, y+size) has `color`. */
function expectBlock(image: Decoded, x: number, y: number, size: number, color: readonly number[], what: string): void {
  for (let dy = 0; dy < size; ++dy) {
    for (let dx = 0; dx < size; ++dx) {
      const got = image.at(x + dx, y + dy);
      if (got.some((v, i) => v !== color[i])) throw new Error(`${what}: pixel (${x + dx}, ${y + dy}) is [${got}], expected [${color}]`);
    }
  }
}

describe('divergingColor', () => {
  it('maps -scale, 0 and +scale to blue, white and red, linearly between', () => {
    expect(divergingColor(2, 2)).toEqual([255, 0, 0]);
    expect(divergingColor(-2, 2)).toEqual([0, 0, 255]);
    expect(divergingColor(0, 2)).toEqual([255, 255, 255]);
    expect(divergingColor(1, 2)).toEqual([255, 128, 128]);   // round(127.5)
    expect(divergingColor(-0.5, 2)).toEqual([191, 191, 255]);  // round(255 * 0.75)
    expect(divergingColor(5, 2)).toEqual([255, 0, 0]);        // clamped
    expect(divergingColor(0.3, 0)).toEqual([255, 255, 255]);  // all-zero layer
    expect(divergingColor(NaN, 1)).toEqual([0, 0, 0]);
  });
});

function convModel(kernel: number[], shape: [number, number, number, number], inputShape: number[]): fg.Sequential {
  const model = fg.sequential([L.conv2d({ inputShape, filters: shape[3], kernelSize: [shape[0], shape[1]], useBias: false, name: 'known' })]);
  model.setWeights([fg.tensor(Float32Array.from(kernel), shape)]);
  return model;
}

describe('filters', () => {
  it('draws each filter of a 1-channel layer as one tile with the weights at known pixels', async () => {
    // kernel [2, 2, 1, 2]: layout ((row * 2 + col) * 1 + channel) * 2 + filter
    // filter 0 = [[1, -1], [0.5, 0]], filter 1 = [[-0.5, 0.25], [0, -1]]; largest |w| = 1.
    const model = convModel([1, -0.5, -1, 0.25, 0.5, 0, 0, -1], [2, 2, 1, 2], [5, 5, 1]);
    const file = path.join(dir, 'filters-1ch.png');
    const result = await filters(model, 'known', file, { scale: 4 });
    expect(result.colorScale).toBe(1);
    expect(result.tiles).toBe('filter');
    const image = await decode(file);
    // Documented layout: margin 4, label line 18, gap 2 => first tile at (6, 24); tiles 8 px
    // (2 weights x 4 px) side by side with 2 px gaps => second tile at (16, 24).
    const expected: [number, number, number, number, number[]][] = [
      // [filter, row, col, weight, colour]
      [0, 0, 0, 1, [255, 0, 0]], [0, 0, 1, -1, [0, 0, 255]], [0, 1, 0, 0.5, [255, 128, 128]], [0, 1, 1, 0, [255, 255, 255]],
      [1, 0, 0, -0.5, [128, 128, 255]], [1, 0, 1, 0.25, [255, 191, 191]], [1, 1, 0, 0, [255, 255, 255]], [1, 1, 1, -1, [0, 0, 255]],
    ];
    for (const [filter, row, col, weight, color] of expected) {
      expectBlock(image, 6 + filter * 10 + col * 4, 24 + row * 4, 4, color, `filter ${filter} (${row}, ${col}) = ${weight}`);
    }
    expectBlock(image, 4, 22, 2, [160, 160, 160], 'grid gap');
    expectBlock(image, 14, 24, 2, [160, 160, 160], 'gap between tiles');
    expect(image.height).toBe(22 + 2 + 8 + 2 + 4);
  });

  it('draws one tile per (filter, input channel) for 2 channels: rows are filters, columns channels', async () => {
    // kernel [1, 1, 2, 2]: index channel * 2 + filter. w[c0,f0] = 0.2, w[c0,f1] = -0.4, w[c1,f0] = 0.8, w[c1,f1] = 0
    const model = convModel([0.2, -0.4, 0.8, 0], [1, 1, 2, 2], [3, 3, 2]);
    const layer = model.layers[0] as Conv;
    const result = filterPicture(layer, { scale: 5 });
    expect(result.tiles).toBe('filter-channel');
    expect(result.colorScale).toBeCloseTo(0.8, 6);
    const file = path.join(dir, 'filters-2ch.png');
    await filters(model, 'known', file, { scale: 5 });
    const image = await decode(file);
    const scale = result.colorScale;
    for (const [filter, channel, weight] of [[0, 0, 0.2], [1, 0, -0.4], [0, 1, 0.8], [1, 1, 0]]) {
      const origin = tileOrigin(result.grid, filter * 2 + channel);
      expect(origin).toEqual({ x: 6 + channel * 7, y: 24 + filter * 7 });
      expectBlock(image, origin.x, origin.y, 5, divergingColor(Math.fround(weight), scale), `filter ${filter} channel ${channel}`);
    }
  });

  it('shows a 3-channel filter as one colour tile (zero is grey)', () => {
    // kernel [1, 1, 3, 1]: r = 1, g = 0, b = -1 => (255, 128, 0)
    const model = convModel([1, 0, -1], [1, 1, 3, 1], [2, 2, 3]);
    const result = filterPicture(model.layers[0] as Conv, { scale: 3 });
    const { raster } = result.picture;
    const origin = tileOrigin(result.grid, 0);
    const offset = (origin.y * raster.width + origin.x) * 3;
    expect(Array.from(raster.pixels.subarray(offset, offset + 3))).toEqual([255, 128, 0]);
  });

  it('names the problem for a layer that is not Conv2D, an unknown name and bad options', async () => {
    const model = fg.sequential([L.conv2d({ inputShape: [4, 4, 1], filters: 1, kernelSize: 2, name: 'c' }), L.flatten({ name: 'f' })]);
    await expect(filters(model, 'f', path.join(dir, 'x.png'))).rejects.toThrow(/Conv2D layer \(c\).*f \(Flatten\)/);
    await expect(filters(model, 'nope', path.join(dir, 'x.png'))).rejects.toThrow(RangeError);
    await expect(filters(model, 'c', path.join(dir, 'x.png'), { scale: 0 })).rejects.toThrow(/options.scale/);
    await expect(filters(model, 'c', path.join(dir, 'x.png'), { size: 3 } as never)).rejects.toThrow(/Unknown option options.size/);
  });
});

describe('featureMaps', () => {
  // Input 6x6x1 with values (r - c) / 5; conv 3x3, 2 filters, relu; max pooling 2x2.
  const input = Float32Array.from({ length: 36 }, (_, i) => (Math.floor(i / 6) - (i % 6)) / 5);
  const kernel = Float32Array.from({ length: 18 }, (_, i) => ((i * 7) % 5 - 2) / 4);  // [3, 3, 1, 2]

  function model(): fg.Sequential {
    const m = fg.sequential([
      L.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu', name: 'conv' }),
      L.maxPooling2d({ poolSize: 2, name: 'pool' }),
      L.flatten({ name: 'flat' }),
      L.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ]);
    const weights = m.getWeights();
    weights[0] = fg.tensor(kernel, [3, 3, 1, 2]);
    m.setWeights(weights);
    return m;
  }

  /** relu(conv) computed here from the definition: [4, 4, 2]. */
  function convReference(): Float32Array {
    const out = new Float32Array(4 * 4 * 2);
    for (let r = 0; r < 4; ++r) for (let c = 0; c < 4; ++c) for (let f = 0; f < 2; ++f) {
      let sum = 0;
      for (let i = 0; i < 3; ++i) for (let j = 0; j < 3; ++j) sum += input[(r + i) * 6 + c + j] * kernel[(i * 3 + j) * 2 + f];
      out[(r * 4 + c) * 2 + f] = Math.max(0, sum);
    }
    return out;
  }

  it('draws every map of every spatial layer exactly as the layer output on the diverging scale', async () => {
    const m = model();
    const file = path.join(dir, 'maps.png');
    const result = await featureMaps(m, fg.tensor(input, [6, 6, 1]), file, { tileSize: 24 });
    expect(result.grids.map((g) => g.layerName)).toEqual(['input', 'conv', 'pool']);
    const conv = convReference();
    const pooled = new Float32Array(2 * 2 * 2);
    for (let r = 0; r < 2; ++r) for (let c = 0; c < 2; ++c) for (let f = 0; f < 2; ++f) {
      pooled[(r * 2 + c) * 2 + f] = Math.max(...[0, 1].flatMap((i) => [0, 1].map((j) => conv[((2 * r + i) * 4 + 2 * c + j) * 2 + f])));
    }
    const expected: Record<string, { data: Float32Array; side: number; channels: number }> = {
      input: { data: input, side: 6, channels: 1 },
      conv: { data: conv, side: 4, channels: 2 },
      pool: { data: pooled, side: 2, channels: 2 },
    };
    const image = await decode(file);
    for (const grid of result.grids) {
      const { data, side, channels } = expected[grid.layerName];
      const scale = Math.max(...Array.from(data, Math.abs));
      expect(grid.colorScale).toBeCloseTo(scale, 5);
      expect(grid.pixelScale).toBe(Math.floor(24 / side));
      for (let channel = 0; channel < channels; ++channel) {
        const origin = tileOrigin(grid, channel);
        for (let r = 0; r < side; ++r) for (let c = 0; c < side; ++c) {
          const value = data[(r * side + c) * channels + channel];
          expectBlock(image, origin.x + c * grid.pixelScale, origin.y + r * grid.pixelScale, grid.pixelScale,
            divergingColor(value, grid.colorScale), `${grid.layerName} map ${channel} (${r}, ${c}) = ${value}`);
        }
      }
    }
    // The conv output really is relu'd: its tiles hold no blue.
    expect(Array.from(conv).every((v) => v >= 0)).toBe(true);
    expect(Array.from(conv).some((v) => v > 0)).toBe(true);
  });

  it('shows the chosen layers only, and refuses dense outputs and wrong example shapes', async () => {
    const m = model();
    const result = await featureMaps(m, fg.tensor(input, [1, 6, 6, 1]), path.join(dir, 'pool.png'), { layers: ['pool'], input: false });
    expect(result.grids.map((g) => g.layerName)).toEqual(['pool']);
    await expect(featureMaps(m, fg.tensor(input, [6, 6, 1]), path.join(dir, 'x.png'), { layers: ['out'] })).rejects.toThrow(/\[height, width, channels\]/);
    await expect(featureMaps(m, fg.tensor(input, [36]), path.join(dir, 'x.png'))).rejects.toThrow(/one example: shape \[6, 6, 1\]/);
    await expect(featureMaps(m, fg.tensor(input, [6, 6, 1]), '')).rejects.toThrow(TypeError);
  });
});

describe('votes', () => {
  it('draws bars of length score * 240 px for probabilities, the winner in red', async () => {
    const result = votesPicture([0.1, 0.7, 0.2], { classNames: ['cat', 'dog', 'bird'] });
    expect(result.winner).toBe(1);
    expect(result.fullScale).toBe(1);
    const file = path.join(dir, 'votes.png');
    await fs.promises.writeFile(file, await encodePng(result.picture));
    const image = await decode(file);
    // Layout: margin 4, title 20, rows of 20 px, bars 14 px high starting 3 px into the row at x = 104.
    const lengths = [24, 168, 48];  // round(0.1 * 240), round(0.7 * 240), round(0.2 * 240)
    lengths.forEach((length, i) => {
      const y = 4 + 20 + i * 20 + 3;
      expect(result.bars[i]).toEqual({ x: 104, y, width: length, height: 14 });
      const color = i === 1 ? [214, 39, 40] : [31, 119, 180];
      expect(image.at(104, y + 7)).toEqual(color);
      expect(image.at(104 + length - 1, y)).toEqual(color);
      expect(image.at(104 + length - 1, y + 13)).toEqual(color);
      expect(image.at(104 + length, y + 7)).toEqual([255, 255, 255]);
      expect(image.at(104 + length - 1, y + 14)).not.toEqual(color);
    });
  });

  it('puts the zero axis in the middle for negative scores and scales by the largest |score|', () => {
    const result = votesPicture([-2, 1, 4]);
    expect(result.fullScale).toBe(4);
    expect(result.zeroX).toBe(104 + 120);
    expect(result.bars.map((b) => [b.x, b.width])).toEqual([[224 - 60, 60], [224, 30], [224, 120]]);
    expect(result.winner).toBe(2);
  });

  it('uses the model output for one example', async () => {
    const model = fg.sequential([L.dense({ inputShape: [2], units: 3, activation: 'softmax', useBias: false, name: 'd' })]);
    model.setWeights([fg.tensor([[1, 0, 0], [0, 0, 2]])]);
    const result = await votes(model, fg.tensor([0, 1], [2]), path.join(dir, 'votes-model.png'), { classNames: ['a', 'b', 'c'] });
    const p = [1, 1, Math.exp(2)].map((v) => v / (2 + Math.exp(2)));
    expect(result.winner).toBe(2);
    expect(result.bars.map((b) => b.width)).toEqual(p.map((v) => Math.round(v * 240)));
    await expect(votes(model, fg.tensor([0, 1], [2]), path.join(dir, 'v.png'), { classNames: ['a'] })).rejects.toThrow(/3 names/);
  });
});

describe('faltung visualize', () => {
  it('writes filters, feature maps and votes of a saved model for an image file', async () => {
    const { visualizeCommand } = await import('../lib/cli/commands/visualize');
    fg.setSeed(4);
    const model = fg.sequential([
      L.conv2d({ inputShape: [12, 12, 1], filters: 3, kernelSize: 3, activation: 'relu', name: 'c1' }),
      L.maxPooling2d({ poolSize: 2, name: 'p1' }),
      L.flatten({ name: 'f' }),
      L.dense({ units: 4, activation: 'softmax', name: 'd' }),
    ]);
    const modelDir = path.join(dir, 'cli-model');
    await model.save(modelDir);
    const pixels = Buffer.from(Array.from({ length: 144 }, (_, i) => (i % 12 === 5 ? 255 : 0)));  // a vertical line
    const imageFile = path.join(dir, 'line.png');
    await sharp(pixels, { raw: { width: 12, height: 12, channels: 1 } }).png().toFile(imageFile);
    const out = path.join(dir, 'cli-out');
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(line); });
    try {
      await visualizeCommand.run([modelDir, imageFile, '--out', out, '--class-names', 'a,b,c,d']);
    } finally {
      log.mockRestore();
    }
    expect(fs.readdirSync(out).sort()).toEqual(['feature-maps.png', 'filters-c1.png', 'votes.png']);
    const image = await fg.data.loadImage(imageFile);
    const scores = Array.from(model.predict(image.reshape([1, 12, 12, 1])).data);
    expect(lines[0]).toBe(`Predicted class: ${'abcd'[scores.indexOf(Math.max(...scores))]}`);
    // The input grid of feature-maps.png shows the image: the line red, the rest white.
    const maps = await decode(path.join(out, 'feature-maps.png'));
    const pixelScale = Math.floor(56 / 12);
    expectBlock(maps, 6 + 5 * pixelScale, 24, pixelScale, [255, 0, 0], 'line pixel');
    expectBlock(maps, 6, 24, pixelScale, [255, 255, 255], 'background pixel');
    await expect(visualizeCommand.run([modelDir])).rejects.toThrow(/<model-dir> <image>/);
  });
});
