// ReLU and pooling on a small map, as in "How convolutional neural networks work": the 7x7 map the X
// gives with the "\" diagonal feature goes through ReLU, which turns every negative value into 0,
// then max pooling with a 2x2 window and stride 2 (padding 'same', so the 7th row and column form
// their own windows: 4x4 out), which keeps the strongest match of each window. Prints each step.
// Run: node examples/tutorial/pooling-relu.js
'use strict';
const fg = require('faltung');

// The X-with-diagonal map of filter-x-o.js, values rounded to two decimals as the tutorial shows.
const MAP = [
  [0.77, -0.11, 0.11, 0.33, 0.55, -0.11, 0.33],
  [-0.11, 1.00, -0.11, 0.33, -0.11, 0.11, -0.11],
  [0.11, -0.11, 1.00, -0.33, 0.11, -0.11, 0.55],
  [0.33, 0.33, -0.33, 0.55, -0.33, 0.33, 0.33],
  [0.55, -0.11, 0.11, -0.33, 1.00, -0.11, 0.11],
  [-0.11, 0.11, -0.11, 0.33, -0.11, 1.00, -0.11],
  [0.33, -0.11, 0.55, 0.33, 0.11, -0.11, 0.77],
];

function print(title, tensor) {
  const [, height, width] = tensor.shape;
  console.log(`${title} (${height}x${width}):`);
  for (let r = 0; r < height; ++r) {
    console.log(Array.from(tensor.data.subarray(r * width, (r + 1) * width), (v) => v.toFixed(2).padStart(6)).join(''));
  }
}

const model = fg.sequential([
  fg.layers.activation({ inputShape: [7, 7, 1], activation: 'relu', name: 'relu' }),
  fg.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same', name: 'max_pooling' }),
]);
const x = fg.tensor(Float32Array.from(MAP.flat()), [1, 7, 7, 1]);
print('map', x);
for (const { layer, output } of model.activations(x)) print(`after ${layer.name}`, output);
