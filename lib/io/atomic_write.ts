// Durable, crash-safe file writing for model saving: new files under fresh unique names, fsynced;
// directory fsync; whole-file replacement by rename. Deliberately not a transaction layer: the
// order of steps (what is durable before the commit) is the caller's (model_io.ts).
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';

/** A random lower-case hex string of `bytes * 2` characters, for unique file names. */
export function randomHex(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}

/** Creates `file` (it must not exist), writes `chunks` one after another, fsyncs and closes it. */
export async function writeNewFileDurably(file: string, chunks: readonly Uint8Array[]): Promise<void> {
  const handle = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  try {
    let position = 0;
    for (const chunk of chunks) {
      let written = 0;
      while (written < chunk.byteLength) {
        const { bytesWritten } = await handle.write(chunk, written, chunk.byteLength - written, position + written);
        written += bytesWritten;
      }
      position += chunk.byteLength;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Makes the directory's entries (creations, renames, deletions) durable. Windows cannot open a
 * directory for fsync; there NTFS journals the metadata and this is a no-op.
 */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` with `data` atomically: readers (and a crash at any moment) see either the old
 * whole file or the new whole file. The temporary file lies beside `file` (same file system, so
 * the rename is atomic) and is named `<file>.tmp-<random>`. Once this resolves the rename has
 * happened; the caller fsyncs the directory to make it durable.
 */
export async function replaceFileAtomically(file: string, data: Uint8Array): Promise<void> {
  const temporary = `${file}.tmp-${randomHex()}`;
  try {
    await writeNewFileDurably(temporary, [data]);
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}
