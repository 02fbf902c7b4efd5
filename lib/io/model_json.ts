// The model.json format (docs/model-format.md): its TypeScript shape and the validator that turns
// untrusted text into that shape, checking every field's type. Deliberately only structure: whether
// layers and weights fit together is checked by topology.ts and weights_file.ts.
import { describe } from '../validate';
import { badModelFile } from './file_errors';

export const FORMAT_NAME = 'faltung-model';
export const FORMAT_VERSION = 1;
export const MODEL_JSON = 'model.json';
/** model.json is refused unread above this size (a real one is a few kilobytes). */
export const MAX_MODEL_JSON_BYTES = 16 * 1024 * 1024;
/** A weights file name: one plain name in the model's directory, never a path. */
export const WEIGHTS_FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export interface SavedLayer {
  className: string;
  config: Record<string, unknown>;
}

export interface SavedOptimizer {
  className: string;
  config: Record<string, unknown>;
}

export interface TrainingConfig {
  loss: string;
  metrics: string[];
  optimizer: SavedOptimizer;
}

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  /** Byte offset of the first value in the weights file. */
  offset: number;
  byteLength: number;
}

export interface WeightsManifest {
  file: string;
  /** Size of the whole weights file in bytes. */
  byteLength: number;
  byteOrder: 'little-endian';
  weights: WeightEntry[];
}

export interface ModelFile {
  format: typeof FORMAT_NAME;
  formatVersion: typeof FORMAT_VERSION;
  modelName: string;
  inputShape: number[];
  layers: SavedLayer[];
  trainingConfig: TrainingConfig | null;
  weightsManifest: WeightsManifest;
}

type Json = Record<string, unknown>;

/** Field checks that throw a FaltungError naming the file, the field path and what was found. */
class FieldChecker {
  constructor(private readonly file: string) {}

  fail(field: string, expected: string, got: unknown): never {
    throw badModelFile(this.file, `expected ${expected} for ${field} but found ${describe(got)}`);
  }

  object(field: string, value: unknown, allowedKeys: readonly string[]): Json {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(field, 'an object', value);
    for (const key of Object.keys(value)) {
      if (!allowedKeys.includes(key)) this.fail(field, `only the fields ${allowedKeys.join(', ')}`, key);
    }
    return value as Json;
  }

  plainObject(field: string, value: unknown): Json {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(field, 'an object', value);
    return value as Json;
  }

  string(field: string, value: unknown, maxLength = 1024, minLength = 1): string {
    if (typeof value !== 'string' || value.length < minLength || value.length > maxLength) {
      this.fail(field, `a ${minLength > 0 ? 'non-empty ' : ''}string of at most ${maxLength} characters`, value);
    }
    return value;
  }

  integer(field: string, value: unknown, min: number): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) this.fail(field, `an integer >= ${min}`, value);
    return value;
  }

  array(field: string, value: unknown): unknown[] {
    if (!Array.isArray(value)) this.fail(field, 'an array', value);
    return value;
  }

  shape(field: string, value: unknown): number[] {
    return this.array(field, value).map((dim, i) => this.integer(`${field}[${i}]`, dim, 0));
  }

  literal<T>(field: string, value: unknown, expected: T): T {
    if (value !== expected) this.fail(field, JSON.stringify(expected), value);
    return expected;
  }
}

function checkTrainingConfig(check: FieldChecker, value: unknown): TrainingConfig | null {
  if (value === null) return null;
  if (value === undefined) check.fail('trainingConfig', 'an object, or null for a model saved uncompiled', value);
  const config = check.object('trainingConfig', value, ['loss', 'metrics', 'optimizer']);
  const optimizer = check.object('trainingConfig.optimizer', config.optimizer, ['className', 'config']);
  return {
    loss: check.string('trainingConfig.loss', config.loss),
    metrics: check.array('trainingConfig.metrics', config.metrics).map((m, i) => check.string(`trainingConfig.metrics[${i}]`, m)),
    optimizer: {
      className: check.string('trainingConfig.optimizer.className', optimizer.className),
      config: check.plainObject('trainingConfig.optimizer.config', optimizer.config),
    },
  };
}

function checkManifest(check: FieldChecker, value: unknown): WeightsManifest {
  const manifest = check.object('weightsManifest', value, ['file', 'byteLength', 'byteOrder', 'weights']);
  const file = check.string('weightsManifest.file', manifest.file, 128);
  if (!WEIGHTS_FILE_PATTERN.test(file) || file === '.' || file === '..') {
    check.fail('weightsManifest.file', 'a plain file name (letters, digits, _ . -; no path)', file);
  }
  return {
    file,
    byteLength: check.integer('weightsManifest.byteLength', manifest.byteLength, 0),
    byteOrder: check.literal('weightsManifest.byteOrder', manifest.byteOrder, 'little-endian'),
    weights: check.array('weightsManifest.weights', manifest.weights).map((raw, i) => {
      const field = `weightsManifest.weights[${i}]`;
      const entry = check.object(field, raw, ['name', 'shape', 'dtype', 'offset', 'byteLength']);
      return {
        name: check.string(`${field}.name`, entry.name),
        shape: check.shape(`${field}.shape`, entry.shape),
        dtype: check.literal(`${field}.dtype`, entry.dtype, 'float32'),
        offset: check.integer(`${field}.offset`, entry.offset, 0),
        byteLength: check.integer(`${field}.byteLength`, entry.byteLength, 0),
      };
    }),
  };
}

/** Parses and structurally validates the text of a model.json (`file` names it in errors). */
export function parseModelFile(text: string, file: string): ModelFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badModelFile(file, `not valid JSON (${(error as Error).message})`);
  }
  const check = new FieldChecker(file);
  const root = check.object('the top level', parsed, ['format', 'formatVersion', 'modelName', 'inputShape', 'layers', 'trainingConfig', 'weightsManifest']);
  check.literal('format', root.format, FORMAT_NAME);
  if (root.formatVersion !== FORMAT_VERSION) {
    check.fail('formatVersion', `${FORMAT_VERSION} (the only version this faltung reads)`, root.formatVersion);
  }
  return {
    format: FORMAT_NAME,
    formatVersion: FORMAT_VERSION,
    modelName: check.string('modelName', root.modelName, 1024, 0),
    inputShape: check.shape('inputShape', root.inputShape),
    layers: check.array('layers', root.layers).map((raw, i) => {
      const layer = check.object(`layers[${i}]`, raw, ['className', 'config']);
      return { className: check.string(`layers[${i}].className`, layer.className, 128), config: check.plainObject(`layers[${i}].config`, layer.config) };
    }),
    trainingConfig: checkTrainingConfig(check, root.trainingConfig),
    weightsManifest: checkManifest(check, root.weightsManifest),
  };
}
