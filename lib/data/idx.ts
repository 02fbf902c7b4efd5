// IDX files (the MNIST format), raw or gzip: header checked against the file size before any
// allocation sized by the header, then data read once into its final typed array.
// Deliberately no writer and no memory mapping: data sets here fit in memory and are read once.
import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import { FaltungError } from '../errors';
import { MAX_ELEMENTS, checkInteger, invalidType } from '../validate';
import { checkOptions } from './options';

export type IdxDataType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  /** Element type from the magic number: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64. */
  readonly dtype: IdxDataType;
  /** Shape of `data`: the file's shape, with the first axis cut to `maxItems` when given. */
  readonly shape: readonly number[];
  /** The dimensions the file's header declares. */
  readonly fileShape: readonly number[];
  /** Row-major values, converted from big endian; owned by the caller (never a view of a shared buffer). */
  readonly data: IdxData;
}

export interface ReadIdxOptions {
  /**
   * Keep only the first `maxItems` entries along the first axis (at most the file's count). The
   * whole file is still checked (size; for gzip, the whole stream is decompressed), but only the
   * kept part is allocated.
   */
  maxItems?: number;
}

/** What a header declared, and what a read keeps: given to an IdxChunkSink before any data. */
export interface IdxInfo {
  readonly dtype: IdxDataType;
  /** Bytes per element (1, 2, 4 or 8). */
  readonly elementSize: number;
  /** The kept shape: fileShape with the first axis cut to maxItems. */
  readonly shape: readonly number[];
  readonly fileShape: readonly number[];
  /** Bytes the sink will receive: product(shape) * elementSize. */
  readonly keptBytes: number;
}

/**
 * Called once the header passed every check, before any data is read; returns the writer that then
 * receives the kept data bytes in order, as big-endian file bytes, in chunks valid only during the call.
 */
export type IdxChunkSink = (info: IdxInfo) => (chunk: Uint8Array, byteOffset: number) => void;

interface ElementType {
  readonly dtype: IdxDataType;
  readonly size: number;
  readonly label: string;
}

const ELEMENT_TYPES: ReadonlyMap<number, ElementType> = new Map([
  [0x08, { dtype: 'uint8', size: 1, label: 'ubyte' }],
  [0x09, { dtype: 'int8', size: 1, label: 'sbyte' }],
  [0x0b, { dtype: 'int16', size: 2, label: 'short' }],
  [0x0c, { dtype: 'int32', size: 4, label: 'int' }],
  [0x0d, { dtype: 'float32', size: 4, label: 'float' }],
  [0x0e, { dtype: 'float64', size: 8, label: 'double' }],
]);

/** 4-byte magic number + 255 uint32 dimensions: the longest possible header. */
const MAX_HEADER_BYTES = 4 + 4 * 255;

/** Deflate's best case is about 1032:1 (a 258-byte match in under 2 bits), so gzip input of C bytes inflates to at most this many times C. */
const MAX_DEFLATE_RATIO = 1032;

/** Bytes per read() call on raw files (reads above 2 GiB must be split anyway). */
const READ_CHUNK = 1 << 30;

/** Chunk size for streaming: large enough to amortize each read, small enough to stay in cache. */
const STREAM_CHUNK = 1 << 20;

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

interface Header {
  readonly type: ElementType;
  readonly shape: number[];
  readonly headerBytes: number;
  readonly elements: number;
  readonly dataBytes: number;
}

function badIdx(name: string, problem: string): FaltungError {
  return new FaltungError(`Bad IDX file ${name}: ${problem}`, 'FALTUNG_BAD_IDX');
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function describeShape(header: Header): string {
  return `header dimensions [${header.shape.join(', ')}] of ${header.type.label}`;
}

/** Decodes the header at the start of `prefix` (which holds the whole source when shorter than the header). */
function readHeader(prefix: Uint8Array, name: string, what: string): Header {
  if (prefix.length < 4) {
    throw badIdx(name, `${what} has ${prefix.length} bytes, too short for the 4-byte IDX magic number`);
  }
  if (prefix[0] !== 0 || prefix[1] !== 0) {
    throw badIdx(name, `expected the IDX magic number 00 00 <type> <rank> but ${what} starts with ${hex(prefix.subarray(0, 4))}`);
  }
  const type = ELEMENT_TYPES.get(prefix[2]);
  if (type === undefined) {
    throw badIdx(
      name,
      `unknown element type 0x${prefix[2].toString(16).padStart(2, '0')} in the magic number; expected ` +
        '0x08 (ubyte), 0x09 (sbyte), 0x0b (short), 0x0c (int), 0x0d (float) or 0x0e (double)',
    );
  }
  const rank = prefix[3];
  if (rank === 0) throw badIdx(name, 'rank 0 in the magic number; expected at least 1 dimension');
  const headerBytes = 4 + 4 * rank;
  if (prefix.length < headerBytes) {
    throw badIdx(name, `${what} has ${prefix.length} bytes, too short for the ${headerBytes}-byte header of a rank-${rank} IDX file`);
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, headerBytes);
  const shape: number[] = [];
  for (let axis = 0; axis < rank; ++axis) shape.push(view.getUint32(4 + 4 * axis, false));
  // A zero anywhere makes an empty array however large the rest (and Infinity * 0 would be NaN).
  const elements = shape.includes(0) ? 0 : shape.reduce((a, b) => a * b, 1);
  if (elements > MAX_ELEMENTS) {
    throw badIdx(name, `header dimensions [${shape.join(', ')}] make ${elements} elements, more than the ${MAX_ELEMENTS} a tensor can hold`);
  }
  return { type, shape, headerBytes, elements, dataBytes: elements * type.size };
}

/** The file (or decompressed stream) must hold exactly header + data. */
function checkTotalSize(header: Header, actual: number, name: string, what: string): void {
  const expected = header.headerBytes + header.dataBytes;
  if (actual === expected) return;
  const verdict = actual < expected ? `truncated by ${expected - actual} bytes` : `${actual - expected} bytes too many`;
  throw badIdx(
    name,
    `${describeShape(header)} need ${expected} bytes (${header.headerBytes}-byte header + ${header.dataBytes} data bytes) ` +
      `but ${what} has ${actual}: ${verdict}`,
  );
}

/** The sink's view of a checked header, with axis 0 cut to `maxItems` when given. */
function makeInfo(header: Header, maxItems: number | undefined): IdxInfo {
  const shape = [...header.shape];
  if (maxItems !== undefined && maxItems < shape[0]) shape[0] = maxItems;
  const elements = shape.reduce((a, b) => a * b, 1);
  return {
    dtype: header.type.dtype,
    elementSize: header.type.size,
    shape: Object.freeze(shape),
    fileShape: Object.freeze([...header.shape]),
    keptBytes: elements * header.type.size,
  };
}

/** Views `bytes` (freshly allocated, owned here) as the element type, swapping big endian in place. */
function toTypedArray(info: IdxInfo, bytes: Uint8Array): IdxArray {
  const count = bytes.length / info.elementSize;
  if (LITTLE_ENDIAN_HOST && info.elementSize > 1) {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    if (info.elementSize === 2) buffer.swap16();
    else if (info.elementSize === 4) buffer.swap32();
    else buffer.swap64();
  }
  const { buffer, byteOffset } = bytes;
  let data: IdxData;
  switch (info.dtype) {
    case 'uint8': data = bytes; break;
    case 'int8': data = new Int8Array(buffer, byteOffset, count); break;
    case 'int16': data = new Int16Array(buffer, byteOffset, count); break;
    case 'int32': data = new Int32Array(buffer, byteOffset, count); break;
    case 'float32': data = new Float32Array(buffer, byteOffset, count); break;
    case 'float64': data = new Float64Array(buffer, byteOffset, count); break;
  }
  return { dtype: info.dtype, shape: info.shape, fileShape: info.fileShape, data };
}

/** A sink that collects the kept bytes into one allocation, for readIdx and parseIdx. */
function collect(): { sink: IdxChunkSink; result: () => IdxArray } {
  let kept: Uint8Array | null = null;
  let info: IdxInfo | null = null;
  return {
    sink: (header) => {
      info = header;
      const target = new Uint8Array(header.keptBytes);
      kept = target;
      return (chunk, byteOffset) => target.set(chunk, byteOffset);
    },
    result: () => toTypedArray(info!, kept!),
  };
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function checkReadOptions(options: unknown): number | undefined {
  const checked = checkOptions<ReadIdxOptions>('options', options, ['maxItems']);
  return checked.maxItems === undefined ? undefined : checkInteger('options.maxItems', checked.maxItems, 0);
}

/**
 * Accepts a decompressed stream chunk by chunk: decodes the header from the first bytes, refuses a
 * header that the compressed size cannot back, then hands only the kept bytes to the sink.
 */
class GzipAssembler {
  private prefix = new Uint8Array(0);
  private header: Header | null = null;
  private write: ((chunk: Uint8Array, byteOffset: number) => void) | null = null;
  private keptBytes = 0;
  private keptFilled = 0;
  private total = 0;

  constructor(
    private readonly name: string,
    private readonly compressedBytes: number,
    private readonly maxItems: number | undefined,
    private readonly sink: IdxChunkSink,
  ) {}

  push(chunk: Uint8Array): void {
    this.total += chunk.length;
    if (this.header === null) {
      const joined = new Uint8Array(this.prefix.length + chunk.length);
      joined.set(this.prefix);
      joined.set(chunk, this.prefix.length);
      if (joined.length < 4 || joined.length < 4 + 4 * joined[3]) {
        this.prefix = joined;
        return;
      }
      this.prefix = new Uint8Array(0);
      const header = readHeader(joined, this.name, 'the decompressed data');
      this.start(header);
      chunk = joined.subarray(header.headerBytes);
    }
    const take = Math.min(this.keptBytes - this.keptFilled, chunk.length);
    if (take > 0) {
      this.write!(chunk.subarray(0, take), this.keptFilled);
      this.keptFilled += take;
    }
  }

  private start(header: Header): void {
    const bound = MAX_DEFLATE_RATIO * this.compressedBytes;
    if (header.headerBytes + header.dataBytes > bound) {
      throw badIdx(
        this.name,
        `${describeShape(header)} need ${header.headerBytes + header.dataBytes} bytes but ${this.compressedBytes} bytes of gzip ` +
          `can expand to at most ${bound}: the header is corrupt or the file truncated`,
      );
    }
    this.header = header;
    const info = makeInfo(header, this.maxItems);
    this.keptBytes = info.keptBytes;
    this.write = this.sink(info);
  }

  finish(): void {
    if (this.header === null) readHeader(this.prefix, this.name, 'the decompressed data'); // throws: too short
    checkTotalSize(this.header!, this.total, this.name, 'the decompressed data');
  }
}

/**
 * Gunzip stops at bytes after the last gzip member that do not start another one (zero padding,
 * junk): `consumed` of `size` input bytes. Both readers refuse such a file, so they always agree.
 */
function checkNothingAfterGzip(consumed: number, size: number, name: string): void {
  if (consumed < size) throw badIdx(name, `corrupt gzip data (${size - consumed} bytes after the end of the gzip stream)`);
}

async function readFully(handle: FileHandle, target: Uint8Array, position: number, name: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const length = Math.min(READ_CHUNK, target.length - done);
    const { bytesRead } = await handle.read(target, done, length, position + done);
    if (bytesRead === 0) throw badIdx(name, `the file ended after ${position + done} bytes while reading (did it change?)`);
    done += bytesRead;
  }
}

function isZlibError(error: unknown): error is Error {
  const code = (error as { code?: unknown }).code;
  return error instanceof Error && typeof code === 'string' && (code.startsWith('Z_') || code === 'ERR_BUFFER_TOO_LARGE');
}

async function readGzipFile(handle: FileHandle, name: string, size: number, maxItems: number | undefined, sink: IdxChunkSink): Promise<void> {
  const assembler = new GzipAssembler(name, size, maxItems, sink);
  // pipeline() reports an error thrown by the consumer, or one gunzip raises after the consumer
  // has seen the end (bytes after the gzip stream), as an AbortError, so keep the real ones.
  let failure: { error: unknown } | null = null;
  let gunzipFailure: Error | null = null;
  const gunzip = createGunzip({ chunkSize: STREAM_CHUNK });
  gunzip.on('error', (error: Error) => { gunzipFailure ??= error; });
  try {
    await pipeline(
      handle.createReadStream({ start: 0, autoClose: false, highWaterMark: STREAM_CHUNK }),
      gunzip,
      async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) {
          try {
            assembler.push(chunk);
          } catch (error) {
            failure = { error };
            throw error;
          }
        }
      },
    );
  } catch (error) {
    if (failure !== null) throw (failure as { error: unknown }).error;
    const cause = gunzipFailure ?? error;
    if (isZlibError(cause)) throw badIdx(name, `corrupt gzip data (${cause.message})`);
    // Gunzip may stop at the end of the gzip data, closing the pipeline before the file's end.
    if ((error as { code?: unknown }).code === 'ABORT_ERR') checkNothingAfterGzip(gunzip.bytesWritten, size, name);
    throw cause;
  }
  // ... or stop there after the file was read whole, and then the pipeline ends without an error.
  checkNothingAfterGzip(gunzip.bytesWritten, size, name);
  assembler.finish();
}

/** Opens `path` for reading, turning a missing file into a FaltungError that names it. */
export async function openExisting(path: string, kind: string): Promise<FileHandle> {
  try {
    const handle = await open(path, 'r');
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      throw new FaltungError(`${kind} ${path} is not a regular file`, 'FALTUNG_FILE_NOT_FOUND');
    }
    return handle;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw new FaltungError(`${kind} not found: ${path}`, 'FALTUNG_FILE_NOT_FOUND');
    }
    throw error;
  }
}

/**
 * Streams an IDX file, raw or gzip, through `sink` in chunks of about 1 MiB, so the caller can
 * convert while reading and never hold the file's bytes whole (fresh pages are what loading costs).
 * Raw files are checked against their size before any data is read.
 */
export async function streamIdx(path: string, options: ReadIdxOptions, sink: IdxChunkSink): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) throw invalidType('path', 'a non-empty file path string', path);
  const maxItems = checkReadOptions(options);
  const handle = await openExisting(path, 'IDX file');
  try {
    const { size } = await handle.stat();
    const prefix = new Uint8Array(Math.min(size, MAX_HEADER_BYTES));
    await readFully(handle, prefix, 0, path);
    if (isGzip(prefix)) {
      await readGzipFile(handle, path, size, maxItems, sink);
      return;
    }
    const header = readHeader(prefix, path, 'the file');
    checkTotalSize(header, size, path, 'the file');
    const info = makeInfo(header, maxItems);
    const write = sink(info);
    // One small buffer, reused: its pages are touched once however large the file.
    const chunk = new Uint8Array(Math.min(info.keptBytes, STREAM_CHUNK));
    for (let done = 0; done < info.keptBytes; done += chunk.length) {
      const part = chunk.subarray(0, Math.min(chunk.length, info.keptBytes - done));
      await readFully(handle, part, header.headerBytes + done, path);
      write(part, done);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Reads an IDX file, raw or gzip (detected by its 1f 8b magic). Throws FaltungError
 * 'FALTUNG_BAD_IDX' naming the file and the problem, 'FALTUNG_FILE_NOT_FOUND' when it is missing.
 */
export async function readIdx(path: string, options: ReadIdxOptions = {}): Promise<IdxArray> {
  const { sink, result } = collect();
  await streamIdx(path, options, sink);
  return result();
}

/**
 * Decodes IDX bytes already in memory, raw or gzip; `name` appears in error messages. Gzip input
 * is inflated whole here (the result is bounded by what the bytes really hold, never by the header).
 */
export function parseIdx(bytes: Uint8Array, name = '<buffer>', options: ReadIdxOptions = {}): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw invalidType('bytes', 'a Uint8Array or Buffer', bytes);
  if (typeof name !== 'string') throw invalidType('name', 'a string', name);
  const maxItems = checkReadOptions(options);
  let raw = bytes;
  let what = 'the buffer';
  if (isGzip(bytes)) {
    let consumed: number;
    try {
      const inflated = gunzipSync(bytes, { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      raw = inflated.buffer;
      consumed = inflated.engine.bytesWritten;
    } catch (error) {
      if (isZlibError(error)) throw badIdx(name, `corrupt gzip data (${error.message})`);
      throw error;
    }
    checkNothingAfterGzip(consumed, bytes.length, name);
    what = 'the decompressed data';
  }
  const header = readHeader(raw.subarray(0, MAX_HEADER_BYTES), name, what);
  checkTotalSize(header, raw.length, name, what);
  const info = makeInfo(header, maxItems);
  // The collecting sink makes a private, aligned copy: the caller's buffer is never byte-swapped or aliased.
  const { sink, result } = collect();
  sink(info)(raw.subarray(header.headerBytes, header.headerBytes + info.keptBytes), 0);
  return result();
}
