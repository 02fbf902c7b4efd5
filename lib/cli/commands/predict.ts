// `faltung predict <model-dir> <image...>`: classifies PNG/JPEG/WebP files with a saved model.
// Images are resized (stretched) to the model's input and made grayscale for one channel; no
// other preprocessing (no centring or deskewing of digits), so MNIST models want MNIST-like images.
import { loadImages } from '../../data/image';
import { FaltungError } from '../../errors';
import { CommandLine, UsageError } from '../arguments';
import type { Command } from '../command';
import { loadModelFolder } from '../model_source';

const OPTIONS = {
  invert: { type: 'boolean' },
} as const;

/** Above this many classes only the most likely ones are listed. */
const LISTED_CLASSES = 10;
const TOP_CLASSES = 5;

const HELP = `Usage: faltung predict <model-dir> <image...> [options]

Prints the predicted class and the class probabilities of each image (PNG, JPEG or WebP),
resized to the model's input size (grayscale for one-channel models).
Models with more than ${LISTED_CLASSES} classes list the ${TOP_CLASSES} most likely ones.

Options:
  --invert                for dark strokes on a light background (MNIST is light on dark)
  -h, --help              this text
`;

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; ++i) if (values[i] > values[best]) best = i;
  return best;
}

function formatProbabilities(probabilities: Float32Array): string {
  const classes = [...probabilities.keys()];
  const listed = probabilities.length <= LISTED_CLASSES
    ? classes
    : classes.sort((a, b) => probabilities[b] - probabilities[a]).slice(0, TOP_CLASSES);
  return listed.map((c) => `${c}: ${probabilities[c].toFixed(4)}`).join('  ');
}

async function run(argv: string[]): Promise<void> {
  const args = CommandLine.parse('predict', argv, OPTIONS, true);
  if (args.positionals.length < 2) throw new UsageError('expected a model folder and at least one image', 'predict');
  const [modelDir, ...images] = args.positionals;
  const model = await loadModelFolder(modelDir);
  const input = model.inputShape;
  const output = model.outputShape;
  if (input.length !== 3 || ![1, 3, 4].includes(input[2])) {
    throw new FaltungError(`predict needs a model taking images [height, width, 1, 3 or 4 channels]; this one takes [${input.join(', ')}]`, 'FALTUNG_SHAPE_MISMATCH');
  }
  if (output.length !== 1) {
    throw new FaltungError(`predict needs a model giving class probabilities [classes]; this one gives [${output.join(', ')}]`, 'FALTUNG_SHAPE_MISMATCH');
  }
  const [height, width, channels] = input;
  const batch = await loadImages(images, { width, height, channels: channels as 1 | 3 | 4, invert: args.flag('invert') });
  const predictions = model.predict(batch);
  const classes = output[0];
  images.forEach((image, index) => {
    const probabilities = predictions.data.subarray(index * classes, (index + 1) * classes);
    const best = argmax(probabilities);
    console.log(`${image}: class ${best} (${(probabilities[best] * 100).toFixed(2)}%)`);
    console.log(`  ${formatProbabilities(probabilities)}`);
  });
}

export const predictCommand: Command = { name: 'predict', description: 'classify image files with a saved model', help: HELP, run };
