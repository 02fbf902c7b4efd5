// fg.loadModel and model.save: a model as a directory of model.json plus one weights file. Saving
// is atomic (renaming model.json is the single commit point); loading validates everything and
// executes nothing. Not supported: several processes saving into one directory at the same time.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FaltungError } from '../errors';
import { Sequential } from '../model';
import { invalidType } from '../validate';
import { randomHex, replaceFileAtomically, syncDirectory, writeNewFileDurably } from './atomic_write';
import { FileSizeError, openForReading, readWholeFileAtMost } from './bounded_read';
import { NON_FINITE_WEIGHTS, badModelFile, modelNotFound, saveFailed, systemCode } from './file_errors';
import { FORMAT_NAME, FORMAT_VERSION, MAX_MODEL_JSON_BYTES, MODEL_JSON, ModelFile, parseModelFile } from './model_json';
import { describeTopology, rebuildModel } from './topology';
import {
  NamedWeight, checkManifestLayout, checkManifestMatchesModel, encodeWeights, firstNonFinite, openWeightsFile, readWeightValues,
} from './weights_file';

/** Files a save writes and later removes once no model.json names them. */
const OWN_WEIGHTS_FILE = /^weights-[0-9a-f]{16}\.bin$/;
const OWN_TEMPORARY_FILE = /^model\.json\.tmp-[0-9a-f]{16}$/;

/** The save in progress per directory (resolved path), so saves in one process never interleave. */
const savesInProgress = new Map<string, Promise<void>>();

function checkDirectory(dir: unknown): string {
  if (typeof dir !== 'string' || dir.length === 0) throw invalidType('dir', 'a non-empty directory path string', dir);
  return dir;
}

/** The model's weights in Keras order, copied now (so training after the call cannot tear the save). */
function snapshotWeights(model: Sequential): NamedWeight[] {
  const variables = model.layers.flatMap((layer) => layer.weights);
  return model.getWeights().map((tensor, index) => {
    const bad = firstNonFinite(tensor.data);
    if (bad >= 0) {
      throw new FaltungError(`Cannot save the model: weight ${variables[index].name} holds ${tensor.data[bad]} at flat index ${bad}` +
        ' (a model with NaN or infinite weights could not be loaded again)', NON_FINITE_WEIGHTS);
    }
    return { name: variables[index].name, shape: variables[index].shape, data: tensor.data };
  });
}

/** Removes weights and temporary files of earlier (or crashed) saves; failures only leave litter. */
async function removeStaleFiles(dir: string, keep: string): Promise<void> {
  try {
    const names = await fs.readdir(dir);
    const stale = names.filter((name) => name !== keep && (OWN_WEIGHTS_FILE.test(name) || OWN_TEMPORARY_FILE.test(name)));
    await Promise.all(stale.map((name) => fs.rm(path.join(dir, name), { force: true })));
  } catch {
    // Leftover files never break loading: model.json names the one weights file it uses.
  }
}

async function writeModelDirectory(dir: string, file: Omit<ModelFile, 'weightsManifest'>, weights: NamedWeight[]): Promise<void> {
  const weightsName = `weights-${randomHex(8)}.bin`;
  const weightsPath = path.join(dir, weightsName);
  const { chunks, manifest } = encodeWeights(weights, weightsName);
  const json = JSON.stringify({ ...file, weightsManifest: manifest }, null, 2) + '\n';
  parseModelFile(json, '(the model.json being saved)');  // never commit what loading would refuse
  const bytes = Buffer.from(json, 'utf8');
  if (bytes.byteLength > MAX_MODEL_JSON_BYTES) {
    throw new RangeError(`model.json would be ${bytes.byteLength} bytes, above the ${MAX_MODEL_JSON_BYTES} bytes loading accepts`);
  }
  let committed = false;
  try {
    await fs.mkdir(dir, { recursive: true });
    await writeNewFileDurably(weightsPath, chunks);
    await syncDirectory(dir);  // the weights file's entry is durable before model.json can name it
    await replaceFileAtomically(path.join(dir, MODEL_JSON), bytes);  // the commit point
    committed = true;
    await syncDirectory(dir);  // the rename is durable before the old weights file goes
  } catch (error) {
    // Before the commit the new weights file is litter; after it, it is the model.
    if (!committed) await fs.rm(weightsPath, { force: true }).catch(() => undefined);
    throw saveFailed(dir, error, committed);
  }
  await removeStaleFiles(dir, weightsName);
}

/**
 * Saves `model` to the directory `dir` (created if missing): model.json and one weights file.
 * Atomic: if the process dies at any point, `dir` holds either the previous save or this one.
 */
export async function saveModel(model: Sequential, dir: string): Promise<void> {
  if (!(model instanceof Sequential)) throw invalidType('model', 'a Sequential model', model);
  checkDirectory(dir);
  const topology = describeTopology(model);
  const weights = snapshotWeights(model);
  const file = { format: FORMAT_NAME, formatVersion: FORMAT_VERSION, ...topology } as const;
  const key = path.resolve(dir);
  const previous = savesInProgress.get(key) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(() => writeModelDirectory(dir, file, weights));
  savesInProgress.set(key, current);
  try {
    await current;
  } finally {
    if (savesInProgress.get(key) === current) savesInProgress.delete(key);
  }
}

async function readModelJson(dir: string, jsonPath: string): Promise<string> {
  let handle: fs.FileHandle;
  try {
    const stats = await fs.stat(dir);
    if (!stats.isDirectory()) throw modelNotFound(`${dir} is not a directory`);
    handle = await openForReading(jsonPath);
  } catch (error) {
    if (error instanceof FaltungError) throw error;
    if (systemCode(error) === 'ENOENT') {
      throw modelNotFound(await fs.stat(dir).then(() => `${dir} has no ${MODEL_JSON}`, () => `the directory ${dir} does not exist`));
    }
    throw badModelFile(jsonPath, `it cannot be read (${(error as Error).message})`);
  }
  try {
    const bytes = await readWholeFileAtMost(handle, MAX_MODEL_JSON_BYTES);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    if (error instanceof FileSizeError) {
      throw badModelFile(jsonPath, error.problem.kind === 'tooLarge'
        ? `it is ${error.problem.size} bytes, above the limit of ${MAX_MODEL_JSON_BYTES}`
        : 'it is not a regular file');
    }
    if (error instanceof TypeError) throw badModelFile(jsonPath, 'it is not UTF-8 text');
    throw badModelFile(jsonPath, `it cannot be read (${(error as Error).message})`);
  } finally {
    await handle.close();
  }
}

/**
 * Loads a model saved by model.save / saveModel from `dir`: the layers, the weights and (if the
 * model was compiled) the loss, metrics and optimizer settings, compiled again. Optimizer state
 * (moments, step count) is not saved. Any problem with the files is a FaltungError with code
 * FALTUNG_MODEL_NOT_FOUND, FALTUNG_BAD_MODEL_FILE or FALTUNG_BAD_WEIGHTS_FILE.
 */
export async function loadModel(dir: string): Promise<Sequential> {
  checkDirectory(dir);
  const jsonPath = path.join(dir, MODEL_JSON);
  const saved = parseModelFile(await readModelJson(dir, jsonPath), jsonPath);
  const manifest = saved.weightsManifest;
  checkManifestLayout(manifest, jsonPath);
  const weightsPath = path.join(dir, manifest.file);
  // The weights file's size is checked before any layer is built, so a manifest claiming
  // terabytes is refused without allocating or reading anything.
  const weightsFile = await openWeightsFile(weightsPath, manifest, jsonPath);
  try {
    const model = rebuildModel(saved, jsonPath, manifest.byteLength);
    const variables = model.layers.flatMap((layer) => layer.weights);
    checkManifestMatchesModel(manifest, variables, jsonPath);
    // Read straight into the new model's weight arrays: on any error the model is dropped unseen.
    await readWeightValues(weightsFile, weightsPath, manifest, variables.map((variable) => variable.data));
    return model;
  } finally {
    await weightsFile.close();
  }
}
