// The FaltungErrors of saving and loading, one constructor per code, so every message names the
// file and what is wrong with it in the same words. Deliberately no message catalogue beyond that.
import { FaltungError } from '../errors';

export const MODEL_NOT_FOUND = 'FALTUNG_MODEL_NOT_FOUND';
export const BAD_MODEL_FILE = 'FALTUNG_BAD_MODEL_FILE';
export const BAD_WEIGHTS_FILE = 'FALTUNG_BAD_WEIGHTS_FILE';
export const SAVE_FAILED = 'FALTUNG_SAVE_FAILED';
export const NON_FINITE_WEIGHTS = 'FALTUNG_NON_FINITE_WEIGHTS';

export function modelNotFound(what: string): FaltungError {
  return new FaltungError(`No saved model: ${what}`, MODEL_NOT_FOUND);
}

export function badModelFile(file: string, what: string): FaltungError {
  return new FaltungError(`Invalid model file ${file}: ${what}`, BAD_MODEL_FILE);
}

export function badWeightsFile(file: string, what: string): FaltungError {
  return new FaltungError(`Invalid weights file ${file}: ${what}`, BAD_WEIGHTS_FILE);
}

/** `committed`: model.json was already replaced (only making that durable failed). */
export function saveFailed(dir: string, cause: unknown, committed: boolean): FaltungError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const state = committed
    ? 'the new model.json is in place but could not be made durable; the previous weights file is kept'
    : 'the previous save, if any, is intact';
  const error = new FaltungError(`Saving the model to ${dir} failed (${state}): ${reason}`, SAVE_FAILED);
  (error as { cause?: unknown }).cause = cause;
  return error;
}

/** The system error code of a failed fs call ('ENOENT', ...), or undefined. */
export function systemCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
