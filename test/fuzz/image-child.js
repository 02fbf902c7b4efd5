// Child process of test/fuzz/image.test.ts: loads seeded corruptions of small PNG, JPEG and WebP
// images (and of other formats, random bytes, and headers claiming huge sizes) with
// fg.data.loadImage / loadImages, with random options, and prints one JSON report. sharp is native
// code, so this runs in its own process. Accepted images must decode to [0, 1] of the right shape.
// Usage: node test/fuzz/image-child.js [--seed N] [--multiplier M]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const sharp = require('sharp');
const fg = require('../../dist/index.js');
const M = require('./mutators.js');

/** Images loaded at multiplier 1. */
const LOADS = 1500;
/** Every how many loads the source is a file path instead of a buffer. */
const FILE_EVERY = 6;

function parseArgs(argv) {
  const options = { seed: M.baseSeed(), multiplier: M.budgetMultiplier(), from: 0, until: Infinity };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--seed') options.seed = Number(argv[i + 1]);
    else if (argv[i] === '--multiplier') options.multiplier = Number(argv[i + 1]);
    else if (argv[i] === '--case') options.from = options.until = Number(argv[i + 1]);  // load only input N (to reproduce it)
    else if (argv[i] === '--from') options.from = Number(argv[i + 1]);
    else if (argv[i] === '--until') options.until = Number(argv[i + 1]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return options;
}

function pixels(width, height, channels) {
  const bytes = Buffer.alloc(width * height * channels);
  for (let i = 0; i < bytes.length; ++i) bytes[i] = (i * 37 + (i >> 3) * 11) % 256;
  return sharp(bytes, { raw: { width, height, channels } });
}

/** Small valid images in every supported format and variant, and some unsupported formats. */
async function baseImages() {
  const images = {
    'png gray': await pixels(9, 7, 1).png().toBuffer(),
    'png rgba': await pixels(8, 8, 4).png().toBuffer(),
    'png palette': await pixels(11, 5, 3).png({ palette: true }).toBuffer(),
    'png 16-bit': await pixels(6, 6, 3).toColourspace('rgb16').png().toBuffer(),
    'png interlaced': await pixels(10, 10, 3).png({ progressive: true }).toBuffer(),
    'jpeg': await pixels(16, 12, 3).jpeg({ quality: 80 }).toBuffer(),
    'jpeg progressive': await pixels(17, 9, 3).jpeg({ progressive: true }).toBuffer(),
    'jpeg rotated': await pixels(8, 16, 3).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
    'webp lossy': await pixels(10, 10, 3).webp({ quality: 50 }).toBuffer(),
    'webp lossless alpha': await pixels(7, 9, 4).webp({ lossless: true }).toBuffer(),
    'gif': await pixels(8, 8, 3).gif().toBuffer(),
    'tiff': await pixels(8, 8, 3).tiff().toBuffer(),
    'svg': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>'),
  };
  return Object.entries(images);
}

// ---- headers claiming huge sizes -------------------------------------------------------------------

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; ++k) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A PNG whose IHDR (with a correct CRC) claims width x height, followed by a little real data. */
function hugePng(rng, width, height) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width >>> 0, 0);
  header.writeUInt32BE(height >>> 0, 4);
  header[8] = rng.pick([8, 16, 1]);
  header[9] = rng.pick([0, 2, 6]);
  const rows = Buffer.alloc(Math.min(4096, 64 * 1024));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', header), pngChunk('IDAT', zlib.deflateSync(rows)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A JPEG whose SOF marker is patched to claim width x height (16-bit fields: at most 65535). */
function hugeJpeg(jpeg, width, height) {
  const out = Buffer.from(jpeg);
  for (let i = 2; i + 9 < out.length; ++i) {
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      out.writeUInt16BE(height & 0xffff, i + 5);
      out.writeUInt16BE(width & 0xffff, i + 7);
      break;
    }
  }
  return out;
}

// ---- options ---------------------------------------------------------------------------------------

function randomOptions(rng) {
  if (rng.chance(0.3)) return undefined;
  const options = {};
  if (rng.chance(0.4)) options.width = rng.chance(0.85) ? rng.int(1, 40) : rng.pick([0, -1, 1.5, 16384, NaN, '8', 1e9]);
  if (rng.chance(0.4)) options.height = rng.chance(0.85) ? rng.int(1, 40) : rng.pick([0, -3, 16384, null, 2 ** 31]);
  if (rng.chance(0.5)) options.channels = rng.chance(0.9) ? rng.pick([1, 3, 4]) : rng.pick([0, 2, 5, '3', null]);
  if (rng.chance(0.3)) options.fit = rng.chance(0.9) ? rng.pick(['fill', 'contain', 'cover']) : rng.pick(['inside', '', 3]);
  if (rng.chance(0.3)) options.invert = rng.chance(0.9) ? rng.chance(0.5) : rng.pick([1, 'yes', null]);
  if (rng.chance(0.03)) options.unknown = true;
  return options;
}

/** What an accepted tensor must look like, or a problem. */
function checkTensor(tensor, options, count) {
  const [batch, height, width, channels] = count === undefined ? [undefined, ...tensor.shape] : tensor.shape;
  if (count !== undefined && batch !== count) return `batch ${batch} for ${count} sources`;
  if (tensor.shape.length !== (count === undefined ? 3 : 4)) return `shape [${tensor.shape}]`;
  const wanted = options?.channels ?? 1;
  if (channels !== wanted) return `${channels} channels for channels ${wanted}`;
  if (options?.width !== undefined && options?.height !== undefined && (width !== options.width || height !== options.height)) {
    return `${width}x${height} for width ${options.width}, height ${options.height}`;
  }
  if (tensor.data.length !== tensor.shape.reduce((a, b) => a * b, 1)) return 'data length differs from the shape';
  for (let i = 0; i < tensor.data.length; ++i) if (!(tensor.data[i] >= 0 && tensor.data[i] <= 1)) return `value ${tensor.data[i]} outside [0, 1]`;
  return null;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const tally = new M.Tally('image', options.seed, options.multiplier);
  const rng = new M.FuzzRandom(M.seedFor(options.seed, 'image'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faltung-fuzz-image-'));
  let peakRss = 0;
  try {
    const bases = await baseImages();
    const jpeg = bases.find(([name]) => name === 'jpeg')[1];
    const loads = Math.max(1, Math.round(LOADS * options.multiplier));
    for (let i = 0; i < loads; ++i) {
      const [baseName, baseBytes] = rng.pick(bases);
      let bytes;
      let caseName;
      const kind = rng.next();
      if (kind < 0.6) {
        bytes = M.mutateBytes(rng, baseBytes);
        caseName = 'mutated';
      } else if (kind < 0.7) {
        bytes = baseBytes;
        caseName = 'valid';
      } else if (kind < 0.8) {
        const [width, height] = rng.pick([[100000, 100000], [65535, 65535], [2 ** 31 - 1, 1], [1, 2 ** 31 - 1], [2 ** 32 - 1, 2 ** 32 - 1], [16384, 16384], [0, 5]]);
        bytes = rng.chance(0.7) ? hugePng(rng, width, height) : hugeJpeg(jpeg, width, height);
        caseName = 'huge header';
      } else if (kind < 0.9) {
        const magic = rng.pick([[0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10], [0xff, 0xd8, 0xff], [0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50], [0x47, 0x49, 0x46, 0x38], [0x49, 0x49, 0x2a, 0], []]);
        bytes = Buffer.from([...magic, ...rng.bytes(rng.int(0, 300))]);
        caseName = 'magic + noise';
      } else {
        bytes = Buffer.from(baseBytes.subarray(0, rng.int(0, baseBytes.length)));
        caseName = 'truncated';
      }
      const loadOptions = randomOptions(rng);
      const shown = bytes.length <= 128 ? bytes : bytes.subarray(0, 40);
      const input = `#${i} ${caseName} ${baseName}: ${Buffer.from(shown).toString('hex')}${shown.length < bytes.length ? '...' : ''} (${bytes.length} bytes), options ${JSON.stringify(loadOptions)}`;
      let source = Buffer.from(bytes);
      if (i % FILE_EVERY === 0) {
        source = path.join(dir, `image-${i % 8}`);
        fs.writeFileSync(source, bytes);
      }
      const batch = rng.chance(0.15) ? rng.int(1, 3) : undefined;
      if (i < options.from || i > options.until) continue;  // the inputs before still drew from rng
      if (i % 50 === 0) process.stderr.write(`input #${i}\n`);  // where a crash happened
      if (options.from === options.until) process.stderr.write(`${input}\n`);
      try {
        const tensor = batch === undefined ? await fg.data.loadImage(source, loadOptions) : await fg.data.loadImages(Array(batch).fill(source), loadOptions);
        tally.accepted(caseName);
        // Formats other than PNG, JPEG and WebP, and headers claiming more pixels than the limit, never load.
        const forbidden = caseName === 'huge header' || (caseName === 'valid' && ['gif', 'tiff', 'svg'].includes(baseName));
        tally.check(caseName, !forbidden, `accepted a ${caseName} ${baseName} image (as [${tensor.shape}])`, input);
        const problem = checkTensor(tensor, loadOptions, batch);
        tally.check(caseName, problem === null, `accepted image: ${problem}`, input);
      } catch (error) {
        tally.rejected(caseName, error, input);
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  tally.report.peakRssMiB = Math.round(peakRss / 2 ** 20);
  process.stdout.write(`${JSON.stringify(tally.report)}\n`);
}

main().catch((error) => {
  process.stderr.write(`fuzz driver failed: ${error?.stack ?? error}\n`);
  process.exitCode = 70;
});
