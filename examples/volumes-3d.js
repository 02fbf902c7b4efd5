#!/usr/bin/env node
// A conv3d classifier on 16x16x16 voxel volumes this script generates: solid spheres, cubes and tori
// of random size, position and orientation, with blurred edges, Gaussian noise and flipped voxels.
// Nothing is downloaded. The three shapes differ only in how their voxels sit next to each other in
// 3D, which is what conv3d filters pick up.
// Usage: node examples/volumes-3d.js [--quick]   (or FALTUNG_EXAMPLE_QUICK=1: a reduced budget)
'use strict';
const fg = require('../dist/index.js');

const quick = process.argv.includes('--quick') || process.env.FALTUNG_EXAMPLE_QUICK === '1';
const SIZE = 16;
const TRAIN = quick ? 600 : 1500;
const TEST = quick ? 200 : 600;
const EPOCHS = quick ? 8 : 15;
const SHAPES = ['sphere', 'cube', 'torus'];

/** A random rotation matrix (rows), from three random Euler angles. */
function randomRotation(random) {
  const [a, b, c] = [0, 1, 2].map(() => random.uniform(0, 2 * Math.PI));
  const [ca, sa, cb, sb, cc, sc] = [Math.cos(a), Math.sin(a), Math.cos(b), Math.sin(b), Math.cos(c), Math.sin(c)];
  return [
    [ca * cb, ca * sb * sc - sa * cc, ca * sb * cc + sa * sc],
    [sa * cb, sa * sb * sc + ca * cc, sa * sb * cc - ca * sc],
    [-sb, cb * sc, cb * cc],
  ];
}

/**
 * Signed distance-like function of each shape in its own frame (negative inside), and the radius
 * of a ball that holds it, for placing it inside the volume.
 */
function makeShape(random, kind) {
  if (kind === 'sphere') {
    const r = random.uniform(3, 5.5);
    return { extent: r, inside: (x, y, z) => Math.hypot(x, y, z) - r };
  }
  if (kind === 'cube') {
    const h = random.uniform(2.8, 4.2);  // half the side
    return { extent: h * Math.sqrt(3), inside: (x, y, z) => Math.max(Math.abs(x), Math.abs(y), Math.abs(z)) - h };
  }
  const major = random.uniform(3.5, 5);
  const minor = random.uniform(1.2, 2);
  return { extent: major + minor, inside: (x, y, z) => Math.hypot(Math.hypot(x, y) - major, z) - minor };
}

/** One example: the volume [16,16,16,1] as voxel occupancies plus noise, written into `out`. */
function volume(random, kind, out, offset) {
  const shape = makeShape(random, kind);
  const rotation = randomRotation(random);
  const margin = Math.min(shape.extent, SIZE / 2 - 1);
  const center = [0, 1, 2].map(() => random.uniform(margin, SIZE - 1 - margin));
  const noise = random.uniform(0.1, 0.3);
  for (let i = 0; i < SIZE; ++i) {
    for (let j = 0; j < SIZE; ++j) {
      for (let k = 0; k < SIZE; ++k) {
        const d = [i - center[0], j - center[1], k - center[2]];
        const [x, y, z] = rotation.map((row) => row[0] * d[0] + row[1] * d[1] + row[2] * d[2]);
        // Soft edge: occupancy falls from 1 to 0 over about half a voxel around the surface.
        let value = 1 / (1 + Math.exp(8 * shape.inside(x, y, z)));
        value += random.normal(0, noise);
        if (random.uniform() < 0.02) value = 1 - value;  // flipped voxels
        out[offset + (i * SIZE + j) * SIZE + k] = value;
      }
    }
  }
}

function dataset(random, count) {
  const voxels = SIZE * SIZE * SIZE;
  const x = new Float32Array(count * voxels);
  const labels = [];
  for (let n = 0; n < count; ++n) {
    const label = n % SHAPES.length;
    volume(random, SHAPES[label], x, n * voxels);
    labels.push(label);
  }
  return { x: fg.tensor(x, [count, SIZE, SIZE, SIZE, 1]), y: fg.oneHot(labels, SHAPES.length), labels };
}

async function main() {
  const started = Date.now();
  fg.setSeed(3);
  const random = new fg.Random(11);
  const train = dataset(random, TRAIN);
  const test = dataset(random, TEST);
  console.log(`volumes: ${TRAIN} training and ${TEST} test examples of ${SIZE}^3 voxels (${SHAPES.join(', ')}), made in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const model = fg.sequential([
    fg.layers.conv3d({ inputShape: [SIZE, SIZE, SIZE, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
    fg.layers.maxPooling3d({ poolSize: 2 }),
    fg.layers.conv3d({ filters: 16, kernelSize: 3, activation: 'relu' }),
    fg.layers.maxPooling3d({ poolSize: 2 }),
    fg.layers.flatten(),
    fg.layers.dense({ units: 32, activation: 'relu' }),
    fg.layers.dense({ units: SHAPES.length, activation: 'softmax' }),
  ]);
  model.summary();
  model.compile({ optimizer: fg.optimizers.adam({ learningRate: 0.002 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.x, train.y, { epochs: EPOCHS, batchSize: 32, validationSplit: 0.1, verbose: 1 });
  const { accuracy } = await model.evaluate(test.x, test.y, { batchSize: 100 });

  // Per-class accuracy on the test set.
  const predicted = await model.predictAsync(test.x, { batchSize: 100 });
  const correct = SHAPES.map(() => 0);
  const total = SHAPES.map(() => 0);
  test.labels.forEach((label, n) => {
    const row = Array.from(predicted.data.subarray(n * SHAPES.length, (n + 1) * SHAPES.length));
    total[label] += 1;
    if (row.indexOf(Math.max(...row)) === label) correct[label] += 1;
  });
  console.log(`per class: ${SHAPES.map((s, i) => `${s} ${(correct[i] / total[i]).toFixed(3)}`).join(', ')}`);
  const seconds = (Date.now() - started) / 1000;
  console.log(`RESULT volumes-3d accuracy=${accuracy.toFixed(4)} seconds=${seconds.toFixed(1)} mode=${quick ? 'quick' : 'full'}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
