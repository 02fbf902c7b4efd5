// The binary weights file: float32 values, little-endian, back to back in Keras order, described
// by model.json's manifest; its layout and the file's size are checked before anything is built or
// read, then the shapes against the rebuilt model, then NaN/Inf. No compression, no other dtypes.
import type { FileHandle } from 'node:fs/promises';
import * as os from 'node:os';
import { MAX_ELEMENTS } from '../validate';
import { FileSizeError, checkFileSize, openForReading, readInto } from './bounded_read';
import { badModelFile, badWeightsFile } from './file_errors';
import type { WeightEntry, WeightsManifest } from './model_json';

const BYTES_PER_VALUE = 4;
const HOST_IS_LITTLE_ENDIAN = os.endianness() === 'LE';

/** A weight as the model holds it: what the manifest must describe. */
export interface NamedWeight {
  name: string;
  shape: readonly number[];
  data: Float32Array;
}

function swapByteOrder(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 4) {
    const a = bytes[i];
    const b = bytes[i + 1];
    bytes[i] = bytes[i + 3];
    bytes[i + 1] = bytes[i + 2];
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}

/** The little-endian bytes of `data` (a view on little-endian hosts, a swapped copy elsewhere). */
function littleEndianBytes(data: Float32Array): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (HOST_IS_LITTLE_ENDIAN) return view;
  const copy = Uint8Array.from(view);
  swapByteOrder(copy);
  return copy;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Index of the first NaN or ±Infinity in `data`, or -1. */
export function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; ++i) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/** The chunks to write (in order) and the manifest describing them, for a file named `file`. */
export function encodeWeights(weights: readonly NamedWeight[], file: string): { chunks: Uint8Array[]; manifest: WeightsManifest } {
  let offset = 0;
  const entries: WeightEntry[] = weights.map((weight) => {
    const entry: WeightEntry = { name: weight.name, shape: [...weight.shape], dtype: 'float32', offset, byteLength: weight.data.byteLength };
    offset += weight.data.byteLength;
    return entry;
  });
  return {
    chunks: weights.map((weight) => littleEndianBytes(weight.data)),
    manifest: { file, byteLength: offset, byteOrder: 'little-endian', weights: entries },
  };
}

/**
 * Checks the manifest on its own: entries back to back from offset 0, each byteLength what its
 * shape needs, together exactly byteLength. Throws a FaltungError naming `modelFile`.
 */
export function checkManifestLayout(manifest: WeightsManifest, modelFile: string): void {
  let offset = 0;
  manifest.weights.forEach((entry, index) => {
    const field = `weightsManifest.weights[${index}] (${entry.name})`;
    const elements = product(entry.shape);
    if (elements > MAX_ELEMENTS) throw badModelFile(modelFile, `${field} has shape [${entry.shape.join(', ')}], more than the ${MAX_ELEMENTS} values a weight may hold`);
    const byteLength = elements * BYTES_PER_VALUE;
    if (entry.byteLength !== byteLength) throw badModelFile(modelFile, `${field} has byteLength ${entry.byteLength} but its shape [${entry.shape.join(', ')}] needs ${byteLength}`);
    if (entry.offset !== offset) throw badModelFile(modelFile, `${field} has offset ${entry.offset} but the weights are stored back to back, so it must be ${offset}`);
    offset += byteLength;
  });
  if (manifest.byteLength !== offset) {
    throw badModelFile(modelFile, `weightsManifest.byteLength is ${manifest.byteLength} but the listed weights take ${offset} bytes`);
  }
}

/** Checks that the manifest lists exactly the model's weights: count, names and shapes. */
export function checkManifestMatchesModel(manifest: WeightsManifest, expected: readonly NamedWeight[], modelFile: string): void {
  const entries = manifest.weights;
  if (entries.length !== expected.length) {
    throw badModelFile(modelFile, `the weights manifest lists ${entries.length} weights but the model's layers have ${expected.length}` +
      ` (${expected.map((w) => w.name).join(', ') || 'none'})`);
  }
  entries.forEach((entry, index) => {
    const weight = expected[index];
    const field = `weightsManifest.weights[${index}]`;
    if (entry.name !== weight.name) throw badModelFile(modelFile, `${field}.name is '${entry.name}' but the model's weight ${index} is '${weight.name}'`);
    if (entry.shape.length !== weight.shape.length || entry.shape.some((d, i) => d !== weight.shape[i])) {
      throw badModelFile(modelFile, `${field} (${weight.name}) has shape [${entry.shape.join(', ')}] but the layer needs [${weight.shape.join(', ')}]`);
    }
  });
}

/**
 * Opens the weights file and checks it is a regular file of exactly manifest.byteLength bytes,
 * before anything is read or allocated for it. The caller closes the handle.
 */
export async function openWeightsFile(file: string, manifest: WeightsManifest, modelFile: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await openForReading(file);
  } catch (error) {
    throw badModelFile(modelFile, `it names the weights file ${manifest.file}, which cannot be opened (${(error as Error).message})`);
  }
  try {
    await checkFileSize(handle, { exact: manifest.byteLength });
    return handle;
  } catch (error) {
    await handle.close();
    if (!(error instanceof FileSizeError)) throw error;
    throw badWeightsFile(file, error.problem.kind === 'wrongSize'
      ? `it is ${error.problem.size} bytes but model.json's manifest says ${manifest.byteLength}`
      : 'it is not a regular file');
  }
}

/**
 * Reads every manifest entry (layout and shapes already checked) into targets[i], which has the
 * entry's size. NaN or ±Infinity is an error (the targets then hold garbage and must be dropped).
 */
export async function readWeightValues(handle: FileHandle, file: string, manifest: WeightsManifest, targets: readonly Float32Array[]): Promise<void> {
  await Promise.all(manifest.weights.map(async (entry, index) => {
    const values = targets[index];
    if (values.byteLength !== entry.byteLength) throw new RangeError(`weight ${entry.name}: target of ${values.byteLength} bytes for ${entry.byteLength}`);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const read = await readInto(handle, bytes, entry.offset);
    if (read !== entry.byteLength) throw badWeightsFile(file, `it ended at byte ${entry.offset + read} inside ${entry.name} (the file shrank while being read)`);
    if (!HOST_IS_LITTLE_ENDIAN) swapByteOrder(bytes);
    const bad = firstNonFinite(values);
    if (bad >= 0) throw badWeightsFile(file, `${entry.name} holds ${values[bad]} at flat index ${bad} (byte ${entry.offset + bad * BYTES_PER_VALUE}); weights must be finite`);
  }));
}
