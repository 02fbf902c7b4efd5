// The feature-map stack: one convolution layer turns one image into a stack of maps, one per
// filter. Here 8 hand-made 3x3 edge filters (vertical, horizontal and diagonal edges, each in both
// polarities) look at an MNIST digit; ReLU keeps the positive responses and max pooling halves the
// size. Prints each layer's output shape; writes the stack as a picture (blue negative, red positive).
// Run: node examples/tutorial/feature-maps.js [output-dir]
'use strict';
const os = require('node:os');
const path = require('node:path');
const fg = require('faltung');

const outDir = process.argv[2] ?? path.join(os.tmpdir(), 'faltung-tutorial');

const EDGES = {
  'vertical, dark to light': [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
  'horizontal, dark to light': [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
  'diagonal \\': [[0, 1, 1], [-1, 0, 1], [-1, -1, 0]],
  'diagonal /': [[1, 1, 0], [1, 0, -1], [0, -1, -1]],
};
// Each edge and its opposite polarity: 8 filters.
const filters = Object.values(EDGES).flatMap((k) => [k, k.map((row) => row.map((v) => -v))]);

(async () => {
  const { test } = await fg.datasets.mnist({ limit: { train: 0, test: 1 } });
  const model = fg.sequential([
    fg.layers.conv2d({ inputShape: [28, 28, 1], filters: filters.length, kernelSize: 3, useBias: false, name: 'edges' }),
    fg.layers.activation({ activation: 'relu', name: 'relu' }),
    fg.layers.maxPooling2d({ poolSize: 2, name: 'pooling' }),
  ]);
  const kernel = new Float32Array(9 * filters.length);
  filters.forEach((k, f) => k.flat().forEach((v, i) => { kernel[i * filters.length + f] = v / 3; }));
  model.setWeights([fg.tensor(kernel, [3, 3, 1, filters.length])]);

  const digit = new fg.Tensor(test.images.data.subarray(0, 784), [1, 28, 28, 1]);
  console.log(`Image: an MNIST ${test.labelIndices[0]}, [28, 28, 1]`);
  for (const { layer, output } of model.activations(digit)) {
    const strongest = Math.max(...output.data);
    console.log(`${layer.name}: [${output.shape.slice(1).join(', ')}], strongest response ${strongest.toFixed(3)}`);
  }
  const file = path.join(outDir, 'feature-maps.png');
  await fg.visualize.featureMaps(model, digit, file, { columns: 8 });
  await fg.visualize.filters(model, 'edges', path.join(outDir, 'edge-filters.png'), { scale: 12 });
  console.log(`Wrote ${file} and ${path.join(outDir, 'edge-filters.png')}`);
})().catch((error) => { console.error(error); process.exitCode = 1; });
