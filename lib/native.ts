// The one module that loads the native addon; nothing else requires the .node file.
// It tries each place a build can be and, if none loads, reports every attempt in one error.
import * as path from 'node:path';
import { markAsUntransferable } from 'node:worker_threads';
import type { AudioBindings } from './bindings/audio';
import type { ConvBindings } from './bindings/conv';
import type { CoreBindings } from './bindings/core';
import type { DenseBindings } from './bindings/dense';
import type { ElementwiseBindings } from './bindings/elementwise';
import type { OutputPoolBindings } from './bindings/output';
import type { PoolBindings } from './bindings/pool';
import type { TrainingBindings } from './bindings/training';
import { FaltungError } from './errors';

/** The addon's raw exports, one interface per binding group. */
export type NativeAddon = CoreBindings & ConvBindings & PoolBindings & ElementwiseBindings & TrainingBindings & DenseBindings &
  AudioBindings & OutputPoolBindings;

/** Where a binary can be, in order: an explicit override, the prebuild, then a source build. */
function candidatePaths(): string[] {
  const root = path.join(__dirname, '..');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { platformTag } = require(path.join(root, 'scripts', 'platform-tag.js')) as { platformTag(): string };
  const fromEnv = process.env.FALTUNG_ADDON_PATH;
  const candidates = [
    path.join(root, 'prebuilds', platformTag(), 'faltung.node'),
    path.join(root, 'build', 'Release', 'faltung.node'),
    path.join(root, 'build', 'Debug', 'faltung.node'),
  ];
  return fromEnv ? [fromEnv, ...candidates] : candidates;
}

/** ArrayBuffer.prototype.resizable's own getter, taken now so no later override can lie to it. */
const resizableGetter = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get;

/**
 * Called by native code on the buffer of every typed array it keeps using after a call returns (async
 * jobs, the Network's weights) and of every pooled op output (memory the pool hands out again):
 * false for a resizable ArrayBuffer, which could shrink under it; otherwise marks the buffer untransferable, so a later postMessage / structuredClone transfer
 * copies it instead of detaching it, and returns true. The mark is permanent (Node has no unmark).
 */
export function pinBuffer(buffer: ArrayBuffer | SharedArrayBuffer): boolean {
  let resizable = false;
  try {
    resizable = resizableGetter !== undefined && resizableGetter.call(buffer) === true;
  } catch {
    // A SharedArrayBuffer: the getter refuses it, and a growable one only ever grows.
  }
  if (resizable) return false;
  markAsUntransferable(buffer);
  return true;
}

function loadAddon(): NativeAddon {
  const attempts: string[] = [];
  for (const candidate of candidatePaths()) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const addon = require(candidate) as NativeAddon;
      addon.setErrorClass(FaltungError);
      addon.setBufferPinner(pinBuffer);
      return addon;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      attempts.push(`  ${candidate}: ${code === 'MODULE_NOT_FOUND' ? 'not present' : (error as Error).message.split('\n')[0]}`);
    }
  }
  throw new FaltungError(
    `faltung: could not load the native addon for ${process.platform}-${process.arch} ` +
      `(Node ${process.versions.node}). Tried:\n${attempts.join('\n')}\n` +
      'Build it from source with `npm rebuild faltung` (needs a C++17 compiler, make and python3).',
    'FALTUNG_ADDON_NOT_FOUND',
  );
}

export const native: NativeAddon = loadAddon();
