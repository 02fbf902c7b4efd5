// fg.data.readWav / parseWav / resample. Files written by an independent program (sox, espeak-ng)
// are compared with sox's own decoding of them: committed fixtures always, and when sox is
// installed (the setup tries `apt-get install sox` once when it is missing) every encoding, bit
// depth, channel count and rate; skipped with a visible message when it cannot be installed.
// Hand-made headers cover every bad field; the resampler is checked against analytic tones and
// for anti-aliasing.
// Fixtures (test/fixtures/beyond-sox-*): made with `sox -D -n -r RATE -e ENC -b BITS -c CH out.wav
// synth 0.02 ...` and decoded with `sox -D out.wav -t f64 out.f64`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { expectClose } from './helpers/compare';

const fixtures = path.join(__dirname, 'fixtures');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'faltung-wav-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function has(program: string): boolean {
  return spawnSync(program, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Finds `program`, or tries once to install `pkg` with apt-get (as root, 100 s at most). */
function ensureProgram(program: string, pkg: string): { ok: boolean; why: string } {
  if (has(program)) return { ok: true, why: '' };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    return { ok: false, why: `${program} is not installed and apt-get is not usable here` };
  }
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], { stdio: 'ignore', timeout: 100_000 });
  return has(program) ? { ok: true, why: '' } : { ok: false, why: `${program} is not installed and \`apt-get install ${pkg}\` did not make it available (exit status ${install.status})` };
}

const sox = ensureProgram('sox', 'sox');
const espeak = has('espeak-ng') ? { ok: true, why: '' } : { ok: false, why: 'espeak-ng is not installed' };
if (!sox.ok) console.warn(`wav.test.ts: SKIPPING the sox-written files: ${sox.why}`);
if (!espeak.ok) console.warn(`wav.test.ts: SKIPPING the espeak-ng file: ${espeak.why}`);

function readF64(file: string): Float64Array {
  const bytes = fs.readFileSync(file);
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** sox's own decoding of `file` to float64 (interleaved), for comparison. */
function soxDecode(file: string): Float64Array {
  const result = spawnSync('sox', ['-D', file, '-t', 'f64', '-'], { maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`sox failed: ${result.stderr.toString()}`);
  const bytes = result.stdout;
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function formatTag(file: string): number {
  return fs.readFileSync(file).readUInt16LE(20);
}

describe('WAV files written by sox (committed fixtures)', () => {
  for (const [name, rate, channels, bits, encoding, tag] of [
    ['beyond-sox-24bit-stereo', 8000, 2, 24, 'pcm', 0xfffe],
    ['beyond-sox-float32-stereo', 11025, 2, 32, 'float', 3],
    ['beyond-sox-8bit-mono', 8000, 1, 8, 'pcm', 1],
  ] as const) {
    it(`${name} matches sox's decoding`, async () => {
      const file = path.join(fixtures, `${name}.wav`);
      expect(formatTag(file)).toBe(tag);
      const audio = await fg.data.readWav(file, { mono: false });
      expect(audio.sampleRate).toBe(rate);
      expect(audio.channels).toBe(channels);
      expect(audio.file).toMatchObject({ sampleRate: rate, channels, bitsPerSample: bits, encoding });
      const expected = readF64(path.join(fixtures, `${name}.f64`));
      expect(audio.frames).toBe(expected.length / channels);
      expectClose(audio.samples, expected, name, 1e-7, 1e-6);
      const fromBytes = fg.data.parseWav(fs.readFileSync(file), { mono: false });
      expect(Array.from(fromBytes.samples)).toEqual(Array.from(audio.samples));
    });
  }

  it('mixes channels to mono by averaging (the default)', async () => {
    const file = path.join(fixtures, 'beyond-sox-24bit-stereo.wav');
    const stereo = await fg.data.readWav(file, { mono: false });
    const mono = await fg.data.readWav(file);
    expect(mono.channels).toBe(1);
    expect(mono.file.channels).toBe(2);
    const expected = Array.from({ length: stereo.frames }, (_, i) => (stereo.samples[2 * i] + stereo.samples[2 * i + 1]) / 2);
    expectClose(mono.samples, expected, 'mono mix', 1e-7, 1e-6);
  });
});

describe.skipIf(!sox.ok)('WAV files written by sox now (every encoding, depth, layout, rate)', () => {
  const formats: [string, string, number][] = [
    ['unsigned-integer', '8', 1], ['signed-integer', '16', 1], ['signed-integer', '16', 2], ['signed-integer', '24', 2],
    ['signed-integer', '32', 1], ['floating-point', '32', 1], ['floating-point', '64', 2], ['signed-integer', '16', 3],
  ];
  const rates = [8000, 11025, 22050, 44100, 48000];
  formats.forEach(([encoding, bits, channels], index) => {
    const rate = rates[index % rates.length];
    it(`${encoding} ${bits}-bit, ${channels} channel(s), ${rate} Hz`, async () => {
      const file = path.join(work, `sox-${index}.wav`);
      const made = spawnSync('sox', ['-D', '-n', '-r', `${rate}`, '-e', encoding, '-b', bits, '-c', `${channels}`, file,
        'synth', '0.05', 'sine', '440', 'sine', '660', 'sawtooth', '300', 'vol', '0.9']);
      expect(made.status, made.stderr?.toString()).toBe(0);
      const audio = await fg.data.readWav(file, { mono: false });
      expect(audio.file).toMatchObject({ sampleRate: rate, channels, bitsPerSample: Number(bits), encoding: encoding === 'floating-point' ? 'float' : 'pcm' });
      expectClose(audio.samples, soxDecode(file), file, 1e-7, 1e-6);
    });
  });

  it('the extensible format is among them', () => {
    expect(formatTag(path.join(work, 'sox-3.wav'))).toBe(0xfffe);
  });

  it('resamples a 44.1 kHz chirp to 16 kHz close to sox\'s own resampler', async () => {
    const file = path.join(work, 'chirp.wav');
    const resampled = path.join(work, 'chirp-16k.wav');
    expect(spawnSync('sox', ['-D', '-n', '-r', '44100', '-e', 'floating-point', '-b', '32', '-c', '1', file, 'synth', '0.5', 'sine', '100-5000', 'vol', '0.5']).status).toBe(0);
    expect(spawnSync('sox', ['-D', file, '-e', 'floating-point', '-b', '32', resampled, 'rate', '-v', '16000']).status).toBe(0);
    const ours = await fg.data.readWav(file, { sampleRate: 16000 });
    const theirs = soxDecode(resampled);
    expect(Math.abs(ours.frames - theirs.length)).toBeLessThanOrEqual(1);
    // Away from the ends (where the two treat the missing neighbours differently).
    let error = 0;
    let energy = 0;
    for (let i = 800; i < Math.min(ours.frames, theirs.length) - 800; ++i) {
      error += (ours.samples[i] - theirs[i]) ** 2;
      energy += theirs[i] ** 2;
    }
    expect(Math.sqrt(error / energy)).toBeLessThan(0.01);
  });
});

if (!sox.ok) it.skip(`WAV files written by sox: skipped because ${sox.why}`, () => undefined);
if (!espeak.ok) it.skip(`WAV file written by espeak-ng: skipped because ${espeak.why}`, () => undefined);

describe.skipIf(!espeak.ok || !sox.ok)('a WAV file written by espeak-ng', () => {
  it('reads as 22050 Hz 16-bit mono speech, as sox decodes it', async () => {
    const file = path.join(work, 'espeak.wav');
    expect(spawnSync('espeak-ng', ['-v', 'en-us', '-w', file, 'seven']).status).toBe(0);
    const audio = await fg.data.readWav(file);
    expect(audio.file).toMatchObject({ sampleRate: 22050, channels: 1, bitsPerSample: 16, encoding: 'pcm' });
    expectClose(audio.samples, soxDecode(file), 'espeak-ng', 1e-7, 1e-6);
    const peak = audio.samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeGreaterThan(0.05);
    const at8k = await fg.data.readWav(file, { sampleRate: 8000 });
    expect(at8k.sampleRate).toBe(8000);
    expect(at8k.frames).toBe(Math.ceil((audio.frames * 8000) / 22050));
  });
});

// ---- Hand-made headers ----

interface WavSpec {
  magic?: string;
  riffSize?: number;
  form?: string;
  fmtSize?: number;
  formatTag?: number;
  channels?: number;
  sampleRate?: number;
  byteRate?: number;
  blockAlign?: number;
  bits?: number;
  extensible?: { validBits?: number; subFormat?: number; guidTail?: number[]; cbSize?: number };
  data?: Uint8Array;
  dataSize?: number;
  before?: Uint8Array[];  // extra chunks before "fmt "
  between?: Uint8Array[];  // extra chunks between "fmt " and "data"
  omitFmt?: boolean;
  omitData?: boolean;
  trailing?: number;
}

const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function chunk(id: string, body: Uint8Array, declared = body.length): Uint8Array {
  const out = Buffer.alloc(8 + body.length + (body.length & 1));
  out.write(id, 0, 'latin1');
  out.writeUInt32LE(declared, 4);
  out.set(body, 8);
  return out;
}

/** A WAV byte string: 16-bit stereo 8 kHz by default, every field overridable. */
function makeWav(spec: WavSpec = {}): Uint8Array {
  const channels = spec.channels ?? 2;
  const bits = spec.bits ?? 16;
  const rate = spec.sampleRate ?? 8000;
  const blockAlign = spec.blockAlign ?? channels * (bits / 8);
  const fmt = Buffer.alloc(spec.extensible ? 40 : 16);
  fmt.writeUInt16LE(spec.extensible ? 0xfffe : spec.formatTag ?? 1, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(spec.byteRate ?? rate * blockAlign, 8);
  fmt.writeUInt16LE(blockAlign, 12);
  fmt.writeUInt16LE(bits, 14);
  if (spec.extensible) {
    fmt.writeUInt16LE(spec.extensible.cbSize ?? 22, 16);
    fmt.writeUInt16LE(spec.extensible.validBits ?? bits, 18);
    fmt.writeUInt32LE(3, 20);
    fmt.writeUInt16LE(spec.extensible.subFormat ?? spec.formatTag ?? 1, 24);
    Buffer.from(spec.extensible.guidTail ?? GUID_TAIL).copy(fmt, 26);
  }
  const fmtChunk = chunk('fmt ', spec.fmtSize !== undefined ? fmt.subarray(0, spec.fmtSize) : fmt);
  const data = spec.data ?? new Uint8Array(blockAlign * 4);
  const parts = [
    ...(spec.before ?? []),
    ...(spec.omitFmt ? [] : [fmtChunk]),
    ...(spec.between ?? []),
    ...(spec.omitData ? [] : [chunk('data', data, spec.dataSize ?? data.length)]),
  ];
  const body = Buffer.concat([Buffer.from(spec.form ?? 'WAVE', 'latin1'), ...parts]);
  const header = Buffer.alloc(8);
  header.write(spec.magic ?? 'RIFF', 0, 'latin1');
  header.writeUInt32LE(spec.riffSize ?? body.length, 4);
  return Buffer.concat([header, body, Buffer.alloc(spec.trailing ?? 0)]);
}

describe('hand-made WAV headers that are fine', () => {
  it('decodes 8-bit, 16-bit, 24-bit and 32-bit integers with the documented scaling', () => {
    const pcm8 = fg.data.parseWav(makeWav({ channels: 1, bits: 8, data: Uint8Array.from([0, 64, 128, 255]) }));
    expect(Array.from(pcm8.samples)).toEqual([-1, -0.5, 0, 127 / 128]);
    const pcm16 = Buffer.alloc(8);
    [-32768, -1, 0, 32767].forEach((v, i) => pcm16.writeInt16LE(v, 2 * i));
    expect(Array.from(fg.data.parseWav(makeWav({ channels: 1, data: pcm16 })).samples)).toEqual([-1, -1 / 32768, 0, Math.fround(32767 / 32768)]);
    const pcm24 = Buffer.alloc(9);
    [-8388608, -2, 8388607].forEach((v, i) => pcm24.writeIntLE(v, 3 * i, 3));
    expect(Array.from(fg.data.parseWav(makeWav({ channels: 1, bits: 24, data: pcm24 })).samples)).toEqual([-1, Math.fround(-2 / 8388608), Math.fround(8388607 / 8388608)]);
    const pcm32 = Buffer.alloc(8);
    [-2147483648, 1073741824].forEach((v, i) => pcm32.writeInt32LE(v, 4 * i));
    expect(Array.from(fg.data.parseWav(makeWav({ channels: 1, bits: 32, data: pcm32 })).samples)).toEqual([-1, 0.5]);
  });

  it('decodes float32/64, clamping to [-1, 1]', () => {
    const f32 = Buffer.alloc(12);
    [0.25, -1.5, 2].forEach((v, i) => f32.writeFloatLE(v, 4 * i));
    expect(Array.from(fg.data.parseWav(makeWav({ channels: 1, bits: 32, formatTag: 3, data: f32 })).samples)).toEqual([0.25, -1, 1]);
    const f64 = Buffer.alloc(16);
    [0.125, -0.75].forEach((v, i) => f64.writeDoubleLE(v, 8 * i));
    expect(Array.from(fg.data.parseWav(makeWav({ channels: 1, bits: 64, formatTag: 3, data: f64 })).samples)).toEqual([0.125, -0.75]);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE, skips other chunks (odd sizes padded) and ignores bytes after the RIFF chunk', () => {
    const data = Buffer.alloc(8);
    [100, -100, 200, -200].forEach((v, i) => data.writeInt16LE(v, 2 * i));
    const audio = fg.data.parseWav(makeWav({
      extensible: { validBits: 12 }, data,
      before: [chunk('JUNK', Uint8Array.from([1, 2, 3]))],
      between: [chunk('LIST', Uint8Array.from([9])), chunk('fact', Uint8Array.from([2, 0, 0, 0]))],
      trailing: 5,
    }), { mono: false });
    expect(audio.channels).toBe(2);
    expect(Array.from(audio.samples)).toEqual([100, -100, 200, -200].map((v) => v / 32768));
  });

  it('reads an empty data chunk as zero frames', () => {
    const audio = fg.data.parseWav(makeWav({ data: new Uint8Array(0) }));
    expect(audio.frames).toBe(0);
    expect(audio.samples.length).toBe(0);
  });
});

describe('hand-made WAV headers with bad fields', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', Buffer.from('RIFF\x04\x00'), /too short for the 12-byte/],
    ['wrong magic', makeWav({ magic: 'JUNK' }), /expected "RIFF" at byte 0 but found "JUNK"/],
    ['big-endian RIFX', makeWav({ magic: 'RIFX' }), /RIFX/],
    ['RF64', makeWav({ magic: 'RF64' }), /RF64/],
    ['not WAVE', makeWav({ form: 'AVI ' }), /form type "WAVE".*"AVI "/],
    ['RIFF size past the end', makeWav({ riffSize: 5000 }), /RIFF size field says 5000 bytes/],
    ['RIFF size too small', makeWav({ riffSize: 2 }), /RIFF size field is 2/],
    ['data chunk past the end', makeWav({ dataSize: 1000 }), /chunk "data" at byte 36 declares 1000 bytes but only 16 remain/],
    ['fmt chunk too short', makeWav({ fmtSize: 14 }), /"fmt " chunk has 14 bytes/],
    ['mu-law', makeWav({ formatTag: 7 }), /0x0007 \(mu-law\) is not supported/],
    ['MP3', makeWav({ formatTag: 0x55 }), /MPEG layer 3/],
    ['unknown format', makeWav({ formatTag: 0x1234 }), /0x1234 is not supported/],
    ['zero channels', makeWav({ channels: 0, blockAlign: 0 }), /0 channels/],
    ['zero sample rate', makeWav({ sampleRate: 0 }), /sample rate of 0 Hz/],
    ['12-bit PCM', makeWav({ bits: 12, blockAlign: 4 }), /PCM with 12 bits per sample is not supported/],
    ['16-bit float', makeWav({ formatTag: 3, bits: 16 }), /IEEE float with 16 bits/],
    ['wrong block align', makeWav({ blockAlign: 3 }), /nBlockAlign is 3 but 2 channel\(s\) of 16-bit samples make 4-byte frames/],
    ['wrong byte rate', makeWav({ byteRate: 1234 }), /nAvgBytesPerSec is 1234/],
    ['no fmt chunk', makeWav({ omitFmt: true }), /no "fmt " chunk/],
    ['no data chunk', makeWav({ omitData: true }), /no "data" chunk/],
    ['two fmt chunks', makeWav({ before: [chunk('fmt ', makeWav().subarray(20, 36))] }), /a second "fmt " chunk/],
    ['two data chunks', makeWav({ between: [chunk('data', new Uint8Array(4))] }), /a second "data" chunk/],
    ['partial frame', makeWav({ data: new Uint8Array(6) }), /6 bytes, not a whole number of 4-byte frames/],
    ['extensible fmt too short', makeWav({ extensible: {}, fmtSize: 24 }), /40-byte "fmt " chunk/],
    ['extensible cbSize', makeWav({ extensible: { cbSize: 10 } }), /cbSize >= 22/],
    ['extensible bad GUID', makeWav({ extensible: { guidTail: [...GUID_TAIL.slice(0, 13), 0] } }), /sub-format GUID/],
    ['extensible valid bits above container', makeWav({ extensible: { validBits: 20 } }), /wValidBitsPerSample 20/],
    ['extensible A-law', makeWav({ extensible: { subFormat: 6 } }), /A-law/],
    ['NaN float sample', makeWav({ channels: 1, bits: 32, formatTag: 3, data: Buffer.from(Float32Array.from([0, NaN]).buffer) }), /sample 1 .* is NaN/],
  ];
  for (const [name, bytes, message] of cases) {
    it(name, () => {
      let caught: unknown = null;
      try {
        fg.data.parseWav(bytes);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(fg.FaltungError);
      expect((caught as fg.FaltungError).code).toBe('FALTUNG_BAD_WAV');
      expect((caught as Error).message).toMatch(message);
    });
  }

  it('names the file', async () => {
    const file = path.join(work, 'bad.wav');
    fs.writeFileSync(file, makeWav({ channels: 0, blockAlign: 0 }));
    await expect(fg.data.readWav(file)).rejects.toThrow(`Bad WAV file ${file}: the "fmt " chunk declares 0 channels`);
  });

  it('missing files and folders are FALTUNG_FILE_NOT_FOUND', async () => {
    await expect(fg.data.readWav(path.join(work, 'nope.wav'))).rejects.toMatchObject({ code: 'FALTUNG_FILE_NOT_FOUND' });
    await expect(fg.data.readWav(work)).rejects.toMatchObject({ code: 'FALTUNG_FILE_NOT_FOUND' });
  });

  const options: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['source a number', () => fg.data.readWav(5 as never), TypeError, /source/],
    ['bytes a string', () => fg.data.parseWav('RIFF' as never), TypeError, /bytes/],
    ['sampleRate NaN', () => fg.data.parseWav(makeWav(), { sampleRate: NaN }), RangeError, /sampleRate/],
    ['sampleRate 0', () => fg.data.parseWav(makeWav(), { sampleRate: 0 }), RangeError, /sampleRate/],
    ['mono a string', () => fg.data.parseWav(makeWav(), { mono: 'yes' as never }), TypeError, /mono/],
    ['unknown option', () => fg.data.parseWav(makeWav(), { channels: 1 } as never), TypeError, /channels/],
    ['resample channels not dividing', () => fg.data.resample(new Float32Array(5), 8000, 16000, { channels: 2 }), TypeError, /channels/],
    ['resample rate Infinity', () => fg.data.resample(new Float32Array(5), 8000, Infinity), RangeError, /toRate/],
  ];
  for (const [name, call, type, message] of options) {
    it(name, async () => {
      const run = async (): Promise<unknown> => call();
      await expect(run()).rejects.toThrow(type);
      await expect(run()).rejects.toThrow(message);
    });
  }
});

describe('resampling', () => {
  const tone = (frequency: number, rate: number, frames: number, phase = 0): Float32Array =>
    Float32Array.from({ length: frames }, (_, i) => 0.5 * Math.sin(2 * Math.PI * frequency * (i / rate) + phase));

  for (const [from, to, frequency] of [[44100, 16000, 440], [22050, 8000, 1000], [8000, 22050, 1000], [16000, 16001, 3000], [48000, 44100, 15000]]) {
    it(`keeps a ${frequency} Hz tone from ${from} to ${to} Hz`, () => {
      const input = tone(frequency, from, Math.round(from * 0.2));
      const out = fg.data.resample(input, from, to);
      expect(out.length).toBe(Math.ceil((input.length * to) / from));
      const expected = tone(frequency, to, out.length);
      const edge = Math.ceil(to * 0.01);  // the filter sees zeros beyond the ends
      expectClose(out.subarray(edge, out.length - edge), expected.subarray(edge, out.length - edge), `${from} -> ${to}`, 2e-3, 0);
    });
  }

  it('filters out what the lower rate cannot hold instead of aliasing it', () => {
    // 10 kHz at 44.1 kHz -> 16 kHz (Nyquist 8 kHz): linear interpolation would alias it to 6 kHz at
    // nearly full amplitude; the low-pass leaves less than 1% (-40 dB).
    const out = fg.data.resample(tone(10000, 44100, 8820), 44100, 16000);
    let energy = 0;
    for (let i = 400; i < out.length - 400; ++i) energy += out[i] ** 2;
    const rms = Math.sqrt(energy / (out.length - 800));
    expect(rms).toBeLessThan(0.01 * (0.5 / Math.SQRT2));
  });

  it('resamples interleaved channels independently', () => {
    const left = tone(300, 8000, 800);
    const right = tone(700, 8000, 800, 1);
    const interleaved = new Float32Array(1600);
    for (let i = 0; i < 800; ++i) {
      interleaved[2 * i] = left[i];
      interleaved[2 * i + 1] = right[i];
    }
    const both = fg.data.resample(interleaved, 8000, 12000, { channels: 2 });
    const leftOnly = fg.data.resample(left, 8000, 12000);
    const rightOnly = fg.data.resample(right, 8000, 12000);
    expect(Array.from(both.filter((_, i) => i % 2 === 0))).toEqual(Array.from(leftOnly));
    expect(Array.from(both.filter((_, i) => i % 2 === 1))).toEqual(Array.from(rightOnly));
  });

  it('returns a copy at the same rate', () => {
    const input = tone(100, 8000, 10);
    const out = fg.data.resample(input, 8000, 8000);
    expect(out).not.toBe(input);
    expect(Array.from(out)).toEqual(Array.from(input));
  });
});
