// The binary weights file: every weight's float32 values, little-endian, back to back in Keras
// order (model.getWeights()), described by the manifest in model.json. Writing builds the chunks
// and the manifest; reading checks the manifest against the rebuilt model and the file's size
// before reading a byte, then rejects NaN/Inf. Deliberately no compression, no other dtypes.
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as os from 'node:os';
import { FileSizeError, checkFileSize, readInto } from './bounded_read';
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
 * Checks that `manifest` describes exactly the weights of `expected` (count, shapes, names) laid
 * out back to back from offset 0 and filling byteLength. Throws a FaltungError naming `modelFile`.
 */
export function checkManifest(manifest: WeightsManifest, expected: readonly NamedWeight[], modelFile: string): void {
  const entries = manifest.weights;
  if (entries.length !== expected.length) {
    throw badModelFile(modelFile, `the weights manifest lists ${entries.length} weights but the model's layers have ${expected.length}` +
      ` (${expected.map((w) => w.name).join(', ') || 'none'})`);
  }
  let offset = 0;
  entries.forEach((entry, index) => {
    const weight = expected[index];
    const field = `weightsManifest.weights[${index}]`;
    if (entry.name !== weight.name) throw badModelFile(modelFile, `${field}.name is '${entry.name}' but the model's weight ${index} is '${weight.name}'`);
    if (entry.shape.length !== weight.shape.length || entry.shape.some((d, i) => d !== weight.shape[i])) {
      throw badModelFile(modelFile, `${field} (${weight.name}) has shape [${entry.shape.join(', ')}] but the layer needs [${weight.shape.join(', ')}]`);
    }
    const byteLength = product(weight.shape) * BYTES_PER_VALUE;
    if (entry.byteLength !== byteLength) {
      throw badModelFile(modelFile, `${field} (${weight.name}) has byteLength ${entry.byteLength} but its shape needs ${byteLength}`);
    }
    if (entry.offset !== offset) {
      throw badModelFile(modelFile, `${field} (${weight.name}) has offset ${entry.offset} but the weights are stored back to back, so it must be ${offset}`);
    }
    offset += byteLength;
  });
  if (manifest.byteLength !== offset) {
    throw badModelFile(modelFile, `weightsManifest.byteLength is ${manifest.byteLength} but the listed weights take ${offset} bytes`);
  }
}

/**
 * Reads the weights file `file` (whose manifest was accepted by checkManifest) into fresh arrays,
 * one per manifest entry. The file must be exactly manifest.byteLength bytes and hold only finite values.
 */
export async function readWeights(file: string, manifest: WeightsManifest, modelFile: string): Promise<Float32Array[]> {
  let handle: FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    throw badModelFile(modelFile, `it names the weights file ${manifest.file}, which cannot be opened (${(error as Error).message})`);
  }
  try {
    try {
      await checkFileSize(handle, { exact: manifest.byteLength });
    } catch (error) {
      if (!(error instanceof FileSizeError)) throw error;
      throw badWeightsFile(file, error.problem.kind === 'wrongSize'
        ? `it is ${error.problem.size} bytes but model.json's manifest says ${manifest.byteLength}`
        : 'it is not a regular file');
    }
    return await Promise.all(manifest.weights.map(async (entry) => {
      const values = new Float32Array(entry.byteLength / BYTES_PER_VALUE);
      const bytes = new Uint8Array(values.buffer);
      const read = await readInto(handle, bytes, entry.offset);
      if (read !== entry.byteLength) throw badWeightsFile(file, `it ended at byte ${entry.offset + read} inside ${entry.name} (the file shrank while being read)`);
      if (!HOST_IS_LITTLE_ENDIAN) swapByteOrder(bytes);
      const bad = firstNonFinite(values);
      if (bad >= 0) throw badWeightsFile(file, `${entry.name} holds ${values[bad]} at flat index ${bad} (byte ${entry.offset + bad * BYTES_PER_VALUE}); weights must be finite`);
      return values;
    }));
  } finally {
    await handle.close();
  }
}
