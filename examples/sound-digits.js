#!/usr/bin/env node
// Spoken-digit classification: a conv2d on log-mel spectrograms. With Debian's espeak-ng installed
// the digits "zero".."nine" are synthesized by many voices (accents, variants, speeds, pitches), read
// back with fg.data.readWav and resampled to 8 kHz; test speakers are never heard in training.
// Without it, synthetic DTMF telephone tones stand in for the digits. Nothing is downloaded; the
// script prints which source it used.
// Usage: node examples/sound-digits.js [--quick]   (or FALTUNG_EXAMPLE_QUICK=1: a reduced budget)
//        FALTUNG_SOUND_SOURCE=synthetic forces the tones even when espeak-ng is present.
'use strict';
const { execFile, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const fg = require('../dist/index.js');

const quick = process.argv.includes('--quick') || process.env.FALTUNG_EXAMPLE_QUICK === '1';
const RATE = 8000;
const CLIP = RATE;  // one second per example
const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const MEL = { sampleRate: RATE, frameLength: 200, hopLength: 80, fftSize: 256, melBins: 40, fMin: 50, fMax: 4000 };
const EPOCHS = quick ? 8 : 12;

// ---- espeak-ng: one call per speaker says all ten digits with long gaps, then we cut them apart ----

const VOICES = ['en-us', 'en', 'en-gb-scotland', 'en-029', 'en-gb-x-rp', 'en-gb-x-gbclan', 'en-gb-x-gbcwmd'];
const VARIANTS = ['', '+m1', '+m2', '+m3', '+m4', '+m5', '+m6', '+m7', '+f1', '+f2', '+f3', '+f4', '+klatt', '+klatt2', '+croak'];

function espeakAvailable() {
  if (process.env.FALTUNG_SOUND_SOURCE === 'synthetic') return null;
  const probe = spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : null;
}

function speakers(random, count) {
  return Array.from({ length: count }, (_, i) => ({
    voice: `${VOICES[i % VOICES.length]}${VARIANTS[random.int(VARIANTS.length)]}`,
    speed: 110 + random.int(100),  // words per minute
    pitch: 15 + random.int(75),    // 0..99
  }));
}

/** Start and end samples of the ten words: runs of 10 ms frames above -30 dB of the loudest, gaps < 150 ms merged. */
function segmentWords(samples) {
  const frame = RATE / 100;
  const energy = [];
  for (let start = 0; start + frame <= samples.length; start += frame) {
    let sum = 0;
    for (let i = start; i < start + frame; ++i) sum += samples[i] * samples[i];
    energy.push(sum / frame);
  }
  const threshold = Math.max(...energy) * 1e-3;
  const runs = [];
  energy.forEach((value, index) => {
    if (value <= threshold) return;
    const last = runs[runs.length - 1];
    if (last && index - last[1] < 15) last[1] = index + 1;
    else runs.push([index, index + 1]);
  });
  return runs.map(([begin, end]) => [begin * frame, end * frame]);
}

async function speakDigits(dir, speaker, index) {
  const file = path.join(dir, `speaker-${index}.wav`);
  await promisify(execFile)('espeak-ng', ['-v', speaker.voice, '-s', `${speaker.speed}`, '-p', `${speaker.pitch}`, '-g', '60', '-w', file, DIGITS.join(' ')]);
  const audio = await fg.data.readWav(file, { sampleRate: RATE });
  const words = segmentWords(audio.samples);
  if (words.length !== DIGITS.length) return null;  // a voice that ran words together: skip it
  return words.map(([begin, end]) => audio.samples.slice(begin, Math.min(end, begin + CLIP)));
}

async function espeakWords(random, count) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faltung-digits-'));
  try {
    const list = speakers(random, count);
    const results = new Array(list.length);
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const index = next++;
        results[index] = await speakDigits(dir, list[index], index);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    return results.filter((words) => words !== null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- Synthetic stand-in: DTMF tone pairs with jitter, varying length and noise ----

const DTMF_ROWS = [941, 697, 697, 697, 770, 770, 770, 852, 852, 852];
const DTMF_COLUMNS = [1336, 1209, 1336, 1477, 1209, 1336, 1477, 1209, 1336, 1477];

function toneWords(random, count) {
  return Array.from({ length: count }, () => DIGITS.map((_, digit) => {
    const length = Math.round(RATE * random.uniform(0.15, 0.6));
    const [low, high] = [DTMF_ROWS[digit], DTMF_COLUMNS[digit]].map((f) => f * random.uniform(0.97, 1.03));
    const twist = random.uniform(0.5, 1);
    const phase = random.uniform(0, 2 * Math.PI);
    return Float32Array.from({ length }, (_, i) => {
      const t = i / RATE;
      const envelope = Math.min(1, i / 80, (length - i) / 80);
      return 0.4 * envelope * (Math.sin(2 * Math.PI * low * t + phase) + twist * Math.sin(2 * Math.PI * high * t));
    });
  }));
}

// ---- Examples: each word placed at a random offset of a one-second clip, with gain and noise ----

function clips(random, speakersWords, copies) {
  const count = speakersWords.length * DIGITS.length * copies;
  const samples = new Float32Array(count * CLIP);
  const labels = [];
  let n = 0;
  for (const words of speakersWords) {
    words.forEach((word, digit) => {
      for (let copy = 0; copy < copies; ++copy, ++n) {
        const clip = samples.subarray(n * CLIP, (n + 1) * CLIP);
        const offset = random.int(CLIP - word.length + 1);
        const gain = random.uniform(0.4, 1);
        let power = 0;
        for (let i = 0; i < word.length; ++i) {
          clip[offset + i] = word[i] * gain;
          power += clip[offset + i] ** 2;
        }
        // White noise 10..30 dB below the word's power.
        const noise = Math.sqrt(power / word.length / 10 ** (random.uniform(10, 30) / 10));
        for (let i = 0; i < CLIP; ++i) clip[i] += random.normal(0, noise);
        labels.push(digit);
      }
    });
  }
  return { samples: fg.tensor(samples, [count, CLIP]), labels };
}

/** Log-mel features [n, frames, bands, 1], standardized with the training set's mean and deviation. */
function features(set, stats) {
  const mel = fg.data.logMelSpectrogram(set.samples, MEL);
  const data = mel.data;
  if (!stats) {
    let sum = 0;
    let squares = 0;
    for (const v of data) {
      sum += v;
      squares += v * v;
    }
    const mean = sum / data.length;
    stats = { mean, std: Math.sqrt(squares / data.length - mean * mean) };
  }
  for (let i = 0; i < data.length; ++i) data[i] = (data[i] - stats.mean) / stats.std;
  return { x: mel.reshape([...mel.shape, 1]), y: fg.oneHot(set.labels, DIGITS.length), stats };
}

async function main() {
  const started = Date.now();
  fg.setSeed(5);
  const random = new fg.Random(21);
  const espeak = espeakAvailable();
  const speakerCount = quick ? 14 : 70;
  const speakersWords = espeak ? await espeakWords(random, speakerCount) : toneWords(random, speakerCount);
  const source = espeak
    ? `espeak-ng (${espeak.split(' ').slice(0, 4).join(' ')}): ${speakersWords.length} synthetic speakers (voices x variants x speeds x pitches)`
    : `synthetic DTMF tones, ${speakersWords.length} takes per digit (espeak-ng ${process.env.FALTUNG_SOUND_SOURCE === 'synthetic' ? 'not used: FALTUNG_SOUND_SOURCE=synthetic' : 'not found; `apt-get install espeak-ng` for spoken digits'})`;
  console.log(`source: ${source}; made in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Speakers (takes) are split, not clips: test voices are never heard in training.
  const testSpeakers = Math.max(2, Math.round(speakersWords.length * 0.2));
  const train = features(clips(random, speakersWords.slice(testSpeakers), quick ? 3 : 4));
  const test = features(clips(random, speakersWords.slice(0, testSpeakers), 1), train.stats);
  console.log(`clips: ${train.x.shape[0]} training, ${test.x.shape[0]} test; features [${train.x.shape.slice(1).join(', ')}] (log-mel, ` +
    `${MEL.frameLength / 8} ms frames every ${MEL.hopLength / 8} ms, ${MEL.melBins} bands); prepared in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const model = fg.sequential([
    fg.layers.conv2d({ inputShape: train.x.shape.slice(1), filters: 16, kernelSize: 3, activation: 'relu' }),
    fg.layers.maxPooling2d({ poolSize: 2 }),
    fg.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
    fg.layers.maxPooling2d({ poolSize: 2 }),
    fg.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
    fg.layers.globalMaxPooling2d(),
    fg.layers.dropout({ rate: 0.2 }),
    fg.layers.dense({ units: DIGITS.length, activation: 'softmax' }),
  ]);
  model.summary();
  model.compile({ optimizer: fg.optimizers.adam({ learningRate: 0.002 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.x, train.y, { epochs: EPOCHS, batchSize: 32, verbose: 1 });
  const { accuracy } = await model.evaluate(test.x, test.y, { batchSize: 128 });
  const seconds = (Date.now() - started) / 1000;
  console.log(`test accuracy on unseen ${espeak ? 'speakers' : 'takes'}: ${accuracy.toFixed(4)}`);
  console.log(`RESULT sound-digits accuracy=${accuracy.toFixed(4)} source=${espeak ? 'espeak-ng' : 'synthetic'} seconds=${seconds.toFixed(1)} mode=${quick ? 'quick' : 'full'}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
