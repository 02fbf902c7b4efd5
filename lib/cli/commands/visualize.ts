// `faltung visualize <model-dir> <image>`: the pictures of fg.visualize for a saved model and one
// image file: every Conv2D layer's filters, the feature maps of every spatial layer and the class
// votes, as PNG files in --out. Reads the model and the image; writes only into --out.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadImage } from '../../data/image';
import { loadModel } from '../../io/model_io';
import { invalidRange } from '../../validate';
import { featureMaps } from '../../visualize/feature_maps';
import { conv2dLayers, filters } from '../../visualize/filters';
import { votes } from '../../visualize/votes';

const OPTIONS = {
  out: { type: 'string' },
  invert: { type: 'boolean' },
  'class-names': { type: 'string' },
  scale: { type: 'string' },
} as const;

const HELP = `Usage: faltung visualize <model-dir> <image> [options]

Draws what a saved model holds and does with one image (PNG, JPEG or WebP, resized to the model's
input): filters-<layer>.png for each Conv2D layer (blue negative, white zero, red positive),
feature-maps.png (every conv, pooling and activation output, one labelled grid per layer) and
votes.png (the final layer's class scores).

Options:
  --out <dir>            output folder (default ./faltung-visualize)
  --invert               store 1 - pixel: for dark digits on a light background (MNIST is white on black)
  --class-names <list>   comma-separated class names for the votes chart
  --scale <n>            pixels per kernel weight in the filter pictures (default 8)
  -h, --help             this text
`;

async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  if (positionals.length !== 2) throw invalidRange('arguments', '<model-dir> <image>', positionals.join(' ') || 'nothing');
  const [modelDir, imageFile] = positionals;
  const out = values.out ?? './faltung-visualize';
  const scale = values.scale === undefined ? 8 : Number(values.scale);
  if (!Number.isInteger(scale) || scale < 1 || scale > 256) throw invalidRange('--scale', 'an integer in [1, 256]', values.scale);
  const model = await loadModel(modelDir);
  const inputShape = model.inputShape;
  if (inputShape.length !== 3 || ![1, 3, 4].includes(inputShape[2])) {
    throw invalidRange('model', 'an image model with input [height, width, 1 | 3 | 4]', `input [${inputShape.join(', ')}]`);
  }
  const [height, width, channels] = inputShape;
  const image = await loadImage(imageFile, { width, height, channels: channels as 1 | 3 | 4, invert: values.invert ?? false });
  const written: string[] = [];
  for (const layer of conv2dLayers(model)) {
    const file = path.join(out, `filters-${layer.name}.png`);
    await filters(model, layer.name, file, { scale });
    written.push(file);
  }
  const mapsFile = path.join(out, 'feature-maps.png');
  await featureMaps(model, image, mapsFile);
  written.push(mapsFile);
  if (model.outputShape.length === 1) {
    const classNames = values['class-names']?.split(',').map((name) => name.trim());
    const votesFile = path.join(out, 'votes.png');
    const result = await votes(model, image, votesFile, classNames === undefined ? {} : { classNames });
    written.push(votesFile);
    console.log(`Predicted class: ${classNames?.[result.winner] ?? result.winner}`);
  }
  for (const file of written) console.log(`Wrote ${file}`);
}

export const visualizeCommand = { name: 'visualize', description: 'draw filters, feature maps and votes of a saved model for an image', help: HELP, run };
