// A Sequential model's topology and training config as plain data (what model.json holds), and the
// way back through deserializeLayer / deserializeOptimizer only. Deliberately executes nothing from
// the file and leaves weights alone (weights_file.ts).
import { FaltungError } from '../errors';
import { deserializeLayer } from '../layers/index';
import { withWeightBudget } from '../layers/layer';
import { InputLayer } from '../layers/shape_layers';
import { Sequential } from '../model';
import { deserializeOptimizer } from '../optimizers';
import { badModelFile } from './file_errors';
import type { ModelFile, SavedLayer, TrainingConfig } from './model_json';

export interface Topology {
  modelName: string;
  inputShape: number[];
  layers: SavedLayer[];
  trainingConfig: TrainingConfig | null;
}

/** What model.json records about `model` besides its weights. */
export function describeTopology(model: Sequential): Topology {
  const { optimizer, loss } = model;
  return {
    modelName: String(model.name),
    inputShape: model.inputShape,
    layers: model.layers.map((layer) => ({ className: layer.getClassName(), config: layer.getConfig() })),
    trainingConfig: optimizer !== null && loss !== null
      ? { loss, metrics: [...model.metrics], optimizer: { className: optimizer.getClassName(), config: optimizer.getConfig() } }
      : null,
  };
}

/** Runs `make`; a bad-argument error from it becomes a FaltungError about `where` in `file`. */
function fromFile<T>(file: string, where: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError || error instanceof FaltungError) {
      throw badModelFile(file, `${where}: ${error.message}`);
    }
    throw error;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * A new model with the saved layers (freshly initialized weights) and, if saved, compiled again.
 * Layers may allocate at most `weightBytes` bytes of weights (the size of the weights file): a
 * topology inflated beyond its weights file is refused before the weight that does not fit exists.
 */
export function rebuildModel(saved: ModelFile, file: string, weightBytes: number): Sequential {
  return withWeightBudget(weightBytes, () => rebuildWithinBudget(saved, file));
}

function rebuildWithinBudget(saved: ModelFile, file: string): Sequential {
  const model = new Sequential({ name: saved.modelName });
  fromFile(file, 'inputShape', () => {
    if (saved.inputShape.some((d) => d < 1)) throw new RangeError(`every dimension must be >= 1, found [${saved.inputShape.join(', ')}]`);
    model.add(new InputLayer({ shape: saved.inputShape, name: 'input' }));
  });
  saved.layers.forEach((entry, index) => {
    const where = `layers[${index}] (${entry.className})`;
    const layer = fromFile(file, where, () => deserializeLayer(entry.className, entry.config));
    if (layer instanceof InputLayer) throw badModelFile(file, `${where}: an InputLayer is recorded as inputShape, not in layers`);
    const declared = layer.declaredInputShape;
    if (index === 0 && declared !== null && !sameShape(declared, saved.inputShape)) {
      throw badModelFile(file, `${where}: inputShape [${declared.join(', ')}] differs from the model's inputShape [${saved.inputShape.join(', ')}]`);
    }
    fromFile(file, where, () => model.add(layer));  // a weight past the budget is a RangeError here
  });
  if (saved.trainingConfig !== null) compileFromFile(model, saved.trainingConfig, file);
  return model;
}

function compileFromFile(model: Sequential, training: TrainingConfig, file: string): void {
  const optimizer = fromFile(file, `trainingConfig.optimizer (${training.optimizer.className})`,
    () => deserializeOptimizer(training.optimizer.className, training.optimizer.config));
  fromFile(file, 'trainingConfig', () => model.compile({ optimizer, loss: training.loss, metrics: training.metrics }));
}
