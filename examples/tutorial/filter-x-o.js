// Filtering, as in "How convolutional neural networks work": an X and an O drawn as 9x9 images of
// +1 (ink) and -1 (background), three 3x3 features (two diagonals and a small x), and a convolution
// that multiplies each 3x3 patch by a feature and divides by the feature's 9 pixels. A perfect match
// scores 1.00, a perfect mismatch -1.00: the X matches all three somewhere, the O (whose corners are
// short diagonals) matches both diagonals but never the crossing. Prints every map; writes pictures.
// Run: node examples/tutorial/filter-x-o.js [output-dir]
'use strict';
const os = require('node:os');
const path = require('node:path');
const fg = require('faltung');

const outDir = process.argv[2] ?? path.join(os.tmpdir(), 'faltung-tutorial');

// '#' is +1, '.' is -1.
const parse = (rows) => rows.flatMap((row) => [...row].map((c) => (c === '#' ? 1 : -1)));
const X = parse([
  '.........',
  '.#.....#.',
  '..#...#..',
  '...#.#...',
  '....#....',
  '...#.#...',
  '..#...#..',
  '.#.....#.',
  '.........',
]);
const O = parse([
  '.........',
  '...###...',
  '..#...#..',
  '.#.....#.',
  '.#.....#.',
  '.#.....#.',
  '..#...#..',
  '...###...',
  '.........',
]);
const FEATURES = {
  'diagonal \\': parse(['#..', '.#.', '..#']),
  'small x': parse(['#.#', '.#.', '#.#']),
  'diagonal /': parse(['..#', '.#.', '#..']),
};

// A conv layer whose kernel is each feature divided by its pixel count: the layer computes
// sum(patch * feature) / 9 at every position, the tutorial's "filtering".
const names = Object.keys(FEATURES);
const kernel = new Float32Array(3 * 3 * 1 * names.length);  // Keras layout [row, col, inChannel, filter]
names.forEach((name, f) => FEATURES[name].forEach((value, i) => { kernel[i * names.length + f] = value / 9; }));
const model = fg.sequential([
  fg.layers.conv2d({ inputShape: [9, 9, 1], filters: names.length, kernelSize: 3, useBias: false, name: 'filtering' }),
]);
model.setWeights([fg.tensor(kernel, [3, 3, 1, names.length])]);

function printMap(title, maps, feature) {
  console.log(`${title}, feature ${names[feature]}:`);
  for (let r = 0; r < 7; ++r) {
    const row = [];
    for (let c = 0; c < 7; ++c) row.push(maps[(r * 7 + c) * names.length + feature].toFixed(2).padStart(6));
    console.log(row.join(''));
  }
}

(async () => {
  for (const [title, image] of [['X', X], ['O', O]]) {
    const x = fg.tensor(Float32Array.from(image), [1, 9, 9, 1]);
    const maps = model.predict(x).data;  // [1, 7, 7, 3]
    names.forEach((_, f) => printMap(title, maps, f));
    const strongest = names.map((_, f) => Math.max(...Array.from({ length: 49 }, (_, p) => maps[p * names.length + f])));
    console.log(`${title}: best match per feature ${strongest.map((v) => v.toFixed(2)).join(', ')}\n`);
    const file = path.join(outDir, `filter-${title}.png`);
    await fg.visualize.featureMaps(model, x, file, { tileSize: 63 });
    console.log(`Wrote ${file}\n`);
  }
})().catch((error) => { console.error(error); process.exitCode = 1; });
