// `faltung summary <model-dir | preset | vgg16>`: the Keras-style table of layers, output shapes
// and parameter counts. Built-in models are constructed (VGG16 allocates its 553 MB of weights).
import { CommandLine, UsageError } from '../arguments';
import type { Command } from '../command';
import { BUILT_IN_MODELS, loadOrBuildModel } from '../model_source';

const HELP = `Usage: faltung summary <model-dir | ${BUILT_IN_MODELS.join(' | ')}>

Prints the layers, output shapes and parameter counts of a saved model or a built-in one.
A folder that exists is loaded even if it shares a built-in name.

Options:
  -h, --help              this text
`;

async function run(argv: string[]): Promise<void> {
  const { positionals } = CommandLine.parse('summary', argv, {}, true);
  if (positionals.length !== 1) throw new UsageError(`expected one model folder or name, got ${positionals.length} arguments`, 'summary');
  const model = await loadOrBuildModel(positionals[0]);
  model.summary(80);
}

export const summaryCommand: Command = { name: 'summary', description: 'print the layers and parameter counts of a model', help: HELP, run };
