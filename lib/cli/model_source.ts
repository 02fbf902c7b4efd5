// Where the CLI's models come from: a saved model folder (fg.loadModel), a preset name, or 'vgg16'.
// A folder that exists wins over a preset of the same name (write ./name to be explicit).
// Nothing is downloaded and no pretrained weights exist: presets are freshly initialized.
import { stat } from 'node:fs/promises';
import { vgg16 } from '../applications/vgg16';
import { PRESET_NAMES, createPreset } from '../applications/presets';
import { FaltungError } from '../errors';
import { loadModel } from '../io/model_io';
import type { Sequential } from '../model';

async function isDirectory(target: string): Promise<boolean> {
  try {
    return (await stat(target)).isDirectory();
  } catch {
    return false;
  }
}

/** Loads the model saved in `dir`; a missing folder is FALTUNG_FILE_NOT_FOUND. */
export async function loadModelFolder(dir: string): Promise<Sequential> {
  if (!(await isDirectory(dir))) throw new FaltungError(`no model folder at ${dir}`, 'FALTUNG_FILE_NOT_FOUND');
  return loadModel(dir);
}

/** Names `faltung summary` builds instead of loading. */
export const BUILT_IN_MODELS = [...PRESET_NAMES, 'vgg16'];

/** A saved model folder, else a preset or 'vgg16'. */
export async function loadOrBuildModel(source: string): Promise<Sequential> {
  if (await isDirectory(source)) return loadModel(source);
  if (source === 'vgg16') return vgg16();
  if ((PRESET_NAMES as string[]).includes(source)) return createPreset(source);
  throw new FaltungError(`'${source}' is neither a model folder nor one of ${BUILT_IN_MODELS.join(', ')}`, 'FALTUNG_FILE_NOT_FOUND');
}
