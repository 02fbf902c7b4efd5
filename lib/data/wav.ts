// fg.data.readWav / parseWav: RIFF/WAVE files (PCM 8/16/24/32-bit, IEEE float 32/64-bit, plain or
// WAVE_FORMAT_EXTENSIBLE, any channel count and rate) to float32 samples in [-1, 1], optionally
// mixed to mono and resampled (Kaiser-windowed sinc, low-pass at the lower Nyquist rate).
// Deliberately no compressed formats (ADPCM, A-law, mu-law, MP3), no RF64/RIFX and no writer: every
// header field is checked and anything else is a FaltungError 'FALTUNG_BAD_WAV' naming the field.
import { readFile } from 'node:fs/promises';
import { FaltungError } from '../errors';
import { MAX_ELEMENTS, checkBoolean, checkNumber, invalidType } from '../validate';
import { openExisting } from './idx';
import { checkOptions } from './options';

export interface ReadWavOptions {
  /** Resample to this rate (Hz); default: keep the file's rate. */
  sampleRate?: number;
  /** Average the channels into one (default true). With false, samples stay interleaved. */
  mono?: boolean;
}

export type WavEncoding = 'pcm' | 'float';

export interface WavAudio {
  /**
   * Samples in [-1, 1]: frames x channels, interleaved (frame 0 channel 0, frame 0 channel 1, ...).
   * Integers are divided by 2^(bits - 1) (8-bit: (byte - 128) / 128); floats, and resampled
   * values (the filter rings slightly past full scale), are clamped to [-1, 1].
   */
  samples: Float32Array;
  /** Rate of `samples` (the requested one after resampling). */
  sampleRate: number;
  /** Channels in `samples`: 1 with mono, else the file's. */
  channels: number;
  /** samples.length / channels. */
  frames: number;
  /** What the file held. */
  file: { sampleRate: number; channels: number; encoding: WavEncoding; bitsPerSample: number; frames: number };
}

export type WavSource = string | Uint8Array;

const BAD_WAV = 'FALTUNG_BAD_WAV';
const MAX_SAMPLE_RATE = 1e7;
const MAX_CHANNELS = 1024;
/** Tail of the KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT GUIDs after their leading format code. */
const SUBTYPE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
const UNSUPPORTED_FORMATS = new Map<number, string>([
  [0x0002, 'Microsoft ADPCM'],
  [0x0006, 'A-law'],
  [0x0007, 'mu-law'],
  [0x0011, 'IMA ADPCM'],
  [0x0031, 'GSM 6.10'],
  [0x0050, 'MPEG'],
  [0x0055, 'MPEG layer 3'],
]);

function badWav(name: string, problem: string): FaltungError {
  return new FaltungError(`Bad WAV file ${name}: ${problem}`, BAD_WAV);
}

function fourCC(bytes: Uint8Array, offset: number): string {
  let text = '';
  for (let i = offset; i < offset + 4; ++i) {
    const byte = bytes[i];
    text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return text;
}

interface WavFormat {
  encoding: WavEncoding;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
}

function parseFormat(view: DataView, offset: number, size: number, name: string): WavFormat {
  if (size < 16) throw badWav(name, `the "fmt " chunk has ${size} bytes, fewer than the 16 every format needs`);
  let formatTag = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const sampleRate = view.getUint32(offset + 4, true);
  const byteRate = view.getUint32(offset + 8, true);
  const blockAlign = view.getUint16(offset + 12, true);
  const bitsPerSample = view.getUint16(offset + 14, true);
  if (formatTag === 0xfffe) {
    if (size < 40) throw badWav(name, `WAVE_FORMAT_EXTENSIBLE needs a 40-byte "fmt " chunk but it has ${size} bytes`);
    const extraSize = view.getUint16(offset + 16, true);
    if (extraSize < 22) throw badWav(name, `WAVE_FORMAT_EXTENSIBLE needs cbSize >= 22 but it is ${extraSize}`);
    const validBits = view.getUint16(offset + 18, true);
    if (validBits > bitsPerSample) {
      throw badWav(name, `wValidBitsPerSample ${validBits} is more than the container's ${bitsPerSample} bits`);
    }
    const subFormat = view.getUint16(offset + 24, true);
    for (let i = 0; i < SUBTYPE_GUID_TAIL.length; ++i) {
      if (view.getUint8(offset + 26 + i) !== SUBTYPE_GUID_TAIL[i]) {
        throw badWav(name, 'the WAVE_FORMAT_EXTENSIBLE sub-format GUID is not a standard KSDATAFORMAT_SUBTYPE');
      }
    }
    formatTag = subFormat;
  }
  let encoding: WavEncoding;
  if (formatTag === 1) encoding = 'pcm';
  else if (formatTag === 3) encoding = 'float';
  else {
    const known = UNSUPPORTED_FORMATS.get(formatTag);
    throw badWav(name, `audio format 0x${formatTag.toString(16).padStart(4, '0')}${known ? ` (${known})` : ''} is not supported; ` +
      'only PCM (1) and IEEE float (3) are, e.g. convert with `sox in.wav -e signed-integer -b 16 out.wav`');
  }
  if (channels === 0) throw badWav(name, 'the "fmt " chunk declares 0 channels');
  if (channels > MAX_CHANNELS) throw badWav(name, `the "fmt " chunk declares ${channels} channels, more than ${MAX_CHANNELS}`);
  if (sampleRate === 0) throw badWav(name, 'the "fmt " chunk declares a sample rate of 0 Hz');
  if (sampleRate > MAX_SAMPLE_RATE) throw badWav(name, `the sample rate ${sampleRate} Hz is above ${MAX_SAMPLE_RATE} Hz`);
  const allowed = encoding === 'pcm' ? [8, 16, 24, 32] : [32, 64];
  if (!allowed.includes(bitsPerSample)) {
    throw badWav(name, `${encoding === 'pcm' ? 'PCM' : 'IEEE float'} with ${bitsPerSample} bits per sample is not supported (${allowed.join(', ')})`);
  }
  const expectedAlign = channels * (bitsPerSample / 8);
  if (blockAlign !== expectedAlign) {
    throw badWav(name, `nBlockAlign is ${blockAlign} but ${channels} channel(s) of ${bitsPerSample}-bit samples make ${expectedAlign}-byte frames`);
  }
  if (byteRate !== sampleRate * blockAlign) {
    throw badWav(name, `nAvgBytesPerSec is ${byteRate} but ${sampleRate} Hz x ${blockAlign}-byte frames make ${sampleRate * blockAlign}`);
  }
  return { encoding, channels, sampleRate, bitsPerSample, blockAlign };
}

/** The "fmt " and "data" chunks of a RIFF/WAVE byte string, every size checked against the bytes. */
function locateChunks(bytes: Uint8Array, name: string): { format: WavFormat; dataOffset: number; dataSize: number } {
  if (bytes.length < 12) throw badWav(name, `${bytes.length} bytes is too short for the 12-byte RIFF/WAVE header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = fourCC(bytes, 0);
  if (magic === 'RIFX') throw badWav(name, 'big-endian RIFX files are not supported');
  if (magic === 'RF64') throw badWav(name, 'RF64 (64-bit size) WAV files are not supported');
  if (magic !== 'RIFF') throw badWav(name, `expected "RIFF" at byte 0 but found "${magic}"`);
  const riffSize = view.getUint32(4, true);
  if (riffSize < 4) throw badWav(name, `the RIFF size field is ${riffSize}, too small to hold even the "WAVE" form type`);
  if (8 + riffSize > bytes.length) {
    throw badWav(name, `the RIFF size field says ${riffSize} bytes follow byte 8 but only ${bytes.length - 8} do (truncated file?)`);
  }
  const form = fourCC(bytes, 8);
  if (form !== 'WAVE') throw badWav(name, `expected the form type "WAVE" at byte 8 but found "${form}"`);
  const end = 8 + riffSize;
  let format: WavFormat | null = null;
  let data: { offset: number; size: number } | null = null;
  let offset = 12;
  while (offset + 8 <= end) {
    const id = fourCC(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (size > end - body) {
      throw badWav(name, `chunk "${id}" at byte ${offset} declares ${size} bytes but only ${end - body} remain in the RIFF chunk`);
    }
    if (id === 'fmt ') {
      if (format !== null) throw badWav(name, `a second "fmt " chunk at byte ${offset}`);
      format = parseFormat(view, body, size, name);
    } else if (id === 'data') {
      if (data !== null) throw badWav(name, `a second "data" chunk at byte ${offset}`);
      data = { offset: body, size };
    }
    offset = body + size + (size & 1);  // chunks are padded to an even size
  }
  if (format === null) throw badWav(name, 'no "fmt " chunk');
  if (data === null) throw badWav(name, 'no "data" chunk');
  if (data.size % format.blockAlign !== 0) {
    throw badWav(name, `the "data" chunk holds ${data.size} bytes, not a whole number of ${format.blockAlign}-byte frames`);
  }
  if (data.size / format.blockAlign * format.channels > MAX_ELEMENTS) {
    throw badWav(name, `${data.size / format.blockAlign} frames x ${format.channels} channels is more than the ${MAX_ELEMENTS} samples a tensor holds`);
  }
  return { format, dataOffset: data.offset, dataSize: data.size };
}

/** Decodes interleaved samples to float32 in [-1, 1]. */
function decodeSamples(bytes: Uint8Array, offset: number, count: number, format: WavFormat, name: string): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * (format.bitsPerSample / 8));
  const out = new Float32Array(count);
  if (format.encoding === 'float') {
    const wide = format.bitsPerSample === 64;
    for (let i = 0; i < count; ++i) {
      const value = wide ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
      if (!Number.isFinite(value)) {
        throw badWav(name, `sample ${i} (frame ${Math.floor(i / format.channels)}, channel ${i % format.channels}) is ${value}`);
      }
      out[i] = value > 1 ? 1 : value < -1 ? -1 : value;
    }
    return out;
  }
  switch (format.bitsPerSample) {
    case 8:
      for (let i = 0; i < count; ++i) out[i] = (view.getUint8(i) - 128) / 128;
      break;
    case 16:
      for (let i = 0; i < count; ++i) out[i] = view.getInt16(i * 2, true) / 32768;
      break;
    case 24:
      for (let i = 0; i < count; ++i) {
        const low = view.getUint16(i * 3, true);
        const high = view.getInt8(i * 3 + 2);
        out[i] = (high * 65536 + low) / 8388608;
      }
      break;
    default:
      for (let i = 0; i < count; ++i) out[i] = view.getInt32(i * 4, true) / 2147483648;
  }
  return out;
}

function checkWavOptions(options: unknown): { sampleRate: number | undefined; mono: boolean } {
  const given = checkOptions<ReadWavOptions>('options', options, ['sampleRate', 'mono']);
  return {
    sampleRate: given.sampleRate === undefined ? undefined : checkNumber('options.sampleRate', given.sampleRate, Number.MIN_VALUE, MAX_SAMPLE_RATE),
    mono: given.mono === undefined ? true : checkBoolean('options.mono', given.mono),
  };
}

function mixToMono(samples: Float32Array, channels: number): Float32Array {
  if (channels === 1) return samples;
  const frames = samples.length / channels;
  const out = new Float32Array(frames);
  for (let frame = 0; frame < frames; ++frame) {
    let sum = 0;
    for (let channel = 0; channel < channels; ++channel) sum += samples[frame * channels + channel];
    out[frame] = sum / channels;
  }
  return out;
}

function decode(bytes: Uint8Array, name: string, options: { sampleRate: number | undefined; mono: boolean }): WavAudio {
  const { format, dataOffset, dataSize } = locateChunks(bytes, name);
  const frames = dataSize / format.blockAlign;
  let samples = decodeSamples(bytes, dataOffset, frames * format.channels, format, name);
  let channels = format.channels;
  if (options.mono) {
    samples = mixToMono(samples, channels);
    channels = 1;
  }
  let sampleRate = format.sampleRate;
  if (options.sampleRate !== undefined && options.sampleRate !== sampleRate) {
    samples = resample(samples, sampleRate, options.sampleRate, { channels });
    // The filter rings a little past full scale next to clipped input: keep the [-1, 1] promise.
    for (let i = 0; i < samples.length; ++i) samples[i] = samples[i] > 1 ? 1 : samples[i] < -1 ? -1 : samples[i];
    sampleRate = options.sampleRate;
  }
  return {
    samples,
    sampleRate,
    channels,
    frames: samples.length / channels,
    file: { sampleRate: format.sampleRate, channels: format.channels, encoding: format.encoding, bitsPerSample: format.bitsPerSample, frames },
  };
}

/**
 * Decodes WAV bytes already in memory. Throws FaltungError 'FALTUNG_BAD_WAV' naming the bad field
 * (wrong magic, a chunk size past the end, an unsupported format, 0 channels, ...).
 */
export function parseWav(bytes: Uint8Array, options: ReadWavOptions = {}): WavAudio {
  if (!(bytes instanceof Uint8Array)) throw invalidType('bytes', 'a Uint8Array or Buffer of WAV data', bytes);
  return decode(bytes, `(a ${bytes.length}-byte buffer)`, checkWavOptions(options));
}

/**
 * Reads a WAV file (a path) or WAV bytes. Throws FaltungError 'FALTUNG_FILE_NOT_FOUND' for a
 * missing file and 'FALTUNG_BAD_WAV' (naming the file and the field) for a bad one.
 */
export async function readWav(source: WavSource, options: ReadWavOptions = {}): Promise<WavAudio> {
  const checked = checkWavOptions(options);
  if (source instanceof Uint8Array) return decode(source, `(a ${source.length}-byte buffer)`, checked);
  if (typeof source !== 'string' || source.length === 0) throw invalidType('source', 'a file path or a Uint8Array of WAV data', source);
  const handle = await openExisting(source, 'WAV file');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(handle);
  } finally {
    await handle.close();
  }
  return decode(bytes, source, checked);
}

// ---- Resampling: band-limited interpolation with a Kaiser-windowed sinc ----

/** Zero crossings of the sinc on each side of the centre. */
const ZERO_CROSSINGS = 16;
/** Table points per zero crossing (linear interpolation between them: < 1e-5 error per tap). */
const TABLE_RESOLUTION = 512;
/** Kaiser beta: about 80 dB of stopband attenuation. */
const KAISER_BETA = 8.6;
/** The pass band ends this fraction of the way to the (lower) Nyquist frequency. */
const ROLLOFF = 0.94;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; ++k) {
    term *= (x / (2 * k)) * (x / (2 * k));
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

let sincTable: Float64Array | null = null;

/** sinc(u) * kaiser(u / ZERO_CROSSINGS) at u = i / TABLE_RESOLUTION, i in [0, ZERO_CROSSINGS * TABLE_RESOLUTION + 1]. */
function windowedSinc(): Float64Array {
  if (sincTable !== null) return sincTable;
  const size = ZERO_CROSSINGS * TABLE_RESOLUTION + 2;
  const table = new Float64Array(size);
  const norm = besselI0(KAISER_BETA);
  for (let i = 0; i < size; ++i) {
    const u = i / TABLE_RESOLUTION;
    const ratio = Math.min(1, u / ZERO_CROSSINGS);
    const window = besselI0(KAISER_BETA * Math.sqrt(1 - ratio * ratio)) / norm;
    table[i] = (u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u)) * window;
  }
  sincTable = table;
  return table;
}

/**
 * Resamples interleaved `samples` from `fromRate` to `toRate` Hz by band-limited interpolation:
 * each output sample is the input convolved with a Kaiser-windowed sinc (16 zero crossings a
 * side, beta 8.6) whose cut-off is 0.94 x the lower of the two Nyquist frequencies, so
 * downsampling filters out what the new rate cannot hold instead of aliasing it. Samples beyond
 * the ends count as zero. Output frames: ceil(frames * toRate / fromRate).
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number, options: { channels?: number } = {}): Float32Array {
  if (!(samples instanceof Float32Array)) throw invalidType('samples', 'a Float32Array', samples);
  checkNumber('fromRate', fromRate, Number.MIN_VALUE, MAX_SAMPLE_RATE);
  checkNumber('toRate', toRate, Number.MIN_VALUE, MAX_SAMPLE_RATE);
  const channels = options.channels ?? 1;
  if (!Number.isInteger(channels) || channels < 1 || samples.length % channels !== 0) {
    throw invalidType('options.channels', `a channel count that divides samples.length (${samples.length})`, channels);
  }
  const frames = samples.length / channels;
  if (fromRate === toRate) return Float32Array.from(samples);
  const outFrames = Math.ceil((frames * toRate) / fromRate - 1e-9);
  if (outFrames * channels > MAX_ELEMENTS) throw invalidType('toRate', `a rate giving at most ${MAX_ELEMENTS} samples`, toRate);
  const out = new Float32Array(outFrames * channels);
  const table = windowedSinc();
  // Cut-off in cycles per input sample, and the kernel's half width in input samples.
  const cutoff = 0.5 * Math.min(1, toRate / fromRate) * ROLLOFF;
  const scale = 2 * cutoff;
  const halfWidth = ZERO_CROSSINGS / scale;
  const step = fromRate / toRate;
  for (let j = 0; j < outFrames; ++j) {
    const time = j * step;
    const first = Math.max(0, Math.ceil(time - halfWidth));
    const last = Math.min(frames - 1, Math.floor(time + halfWidth));
    for (let channel = 0; channel < channels; ++channel) {
      let sum = 0;
      for (let k = first; k <= last; ++k) {
        const position = Math.abs(time - k) * scale * TABLE_RESOLUTION;
        const index = Math.floor(position);
        const fraction = position - index;
        const weight = table[index] + (table[index + 1] - table[index]) * fraction;
        sum += samples[k * channels + channel] * weight;
      }
      out[j * channels + channel] = sum * scale;
    }
  }
  return out;
}
