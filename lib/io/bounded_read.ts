// Reading model files without trusting their size: the size is checked on the open handle before
// any byte is read, so a huge file is refused without reading it. Deliberately no streaming or
// mmap, and no error wording: callers turn a SizeProblem into a FaltungError naming the file.
import { constants, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

export type SizeProblem =
  | { kind: 'notAFile' }
  | { kind: 'tooLarge'; size: number; limit: number }
  | { kind: 'wrongSize'; size: number; expected: number };

/** Thrown by the readers below when a file's kind or size is not acceptable. */
export class FileSizeError extends Error {
  constructor(readonly problem: SizeProblem) {
    super(`file size problem: ${problem.kind}`);
  }
}

/**
 * Opens `file` for reading without blocking: a FIFO planted in place of a model file would
 * otherwise hang the open until a writer appears (the size check then refuses it).
 */
export function openForReading(file: string): Promise<FileHandle> {
  return fs.open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
}

/** Reads into `buffer` from file offset `position` until it is full or the file ends; returns the byte count. */
export async function readInto(handle: FileHandle, buffer: Uint8Array, position: number): Promise<number> {
  let filled = 0;
  while (filled < buffer.byteLength) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.byteLength - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

/** Throws unless the open file is a regular file whose size is within `limit` (or exactly `exact`). */
export async function checkFileSize(handle: FileHandle, rule: { limit: number } | { exact: number }): Promise<number> {
  const stats = await handle.stat();
  if (!stats.isFile()) throw new FileSizeError({ kind: 'notAFile' });
  if ('limit' in rule && stats.size > rule.limit) throw new FileSizeError({ kind: 'tooLarge', size: stats.size, limit: rule.limit });
  if ('exact' in rule && stats.size !== rule.exact) throw new FileSizeError({ kind: 'wrongSize', size: stats.size, expected: rule.exact });
  return stats.size;
}

/** The whole content of the open file, if it is a regular file of at most `limit` bytes. */
export async function readWholeFileAtMost(handle: FileHandle, limit: number): Promise<Buffer> {
  const size = await checkFileSize(handle, { limit });
  // One byte more than the stat said, so a file that grew since is caught rather than cut short.
  const buffer = Buffer.alloc(size + 1);
  const filled = await readInto(handle, buffer, 0);
  if (filled > limit) throw new FileSizeError({ kind: 'tooLarge', size: filled, limit });
  return buffer.subarray(0, filled);
}
