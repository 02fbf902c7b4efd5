#!/usr/bin/env node
// An HTTP prediction server (plain node:http) that trains its MNIST convnet in the background and
// serves POST /predict, GET /health and GET /status all along; the served weights follow training
// (see README.md here). No framework, no extra dependency; it listens on loopback by default.
// Usage: node examples/server/server.js [--port 3000] [--host 127.0.0.1] [--epochs 3]
//          [--train-limit 60000] [--batch-size 64] [--publish-every 20] [--max-batch 64] [--threads n]
'use strict';
const http = require('node:http');
const fg = require('../../dist/index.js');
const { ServerMetrics } = require('./metrics');
const { BatchingPredictor } = require('./predictor');
const { startTraining } = require('./trainer');

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

function integerOption(name, fallback, min) {
  const value = Number(option(name, String(fallback)));
  if (!Number.isInteger(value) || value < min) {
    console.error(`--${name}: expected an integer >= ${min}, received ${option(name)}`);
    process.exit(2);
  }
  return value;
}

const config = {
  port: integerOption('port', Number(process.env.PORT ?? 3000), 0),
  host: option('host', '127.0.0.1'),
  epochs: integerOption('epochs', 3, 1),
  trainLimit: integerOption('train-limit', 60000, 1),
  batchSize: integerOption('batch-size', 64, 1),
  publishEvery: integerOption('publish-every', 20, 1),
  maxBatch: integerOption('max-batch', 64, 1),
  threads: integerOption('threads', 0, 0),  // 0: the library's default
};
const MAX_BODY_BYTES = 8 << 20;
const MAX_IMAGES_PER_REQUEST = 256;

if (config.threads > 0) fg.setNumThreads(config.threads);
fg.setSeed(1);
const model = fg.applications.mnistConvnet();
model.compile({ optimizer: fg.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const servingModel = fg.applications.mnistConvnet();
servingModel.setWeights(model.getWeights());  // version 0: the untrained starting point
const predictor = new BatchingPredictor(fg, servingModel, { maxBatch: config.maxBatch });
const imageSize = predictor.inputSize;
const classes = predictor.outputSize;

let training = { progress: { state: 'loading data' }, done: Promise.resolve(), stop: () => {} };
const served = { requests: 0, errors: 0 };
const metrics = new ServerMetrics();

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function send(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** The request's images as one Float32Array: a JSON array of 784 pixels, or an array of them. */
function parseImages(text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
  const single = Array.isArray(body) && typeof body[0] === 'number';
  const images = single ? [body] : body;
  if (!Array.isArray(images) || images.length === 0 || images.length > MAX_IMAGES_PER_REQUEST) {
    throw new HttpError(400, `expected an array of ${imageSize} pixels or an array of 1 to ${MAX_IMAGES_PER_REQUEST} such arrays`);
  }
  const pixels = new Float32Array(images.length * imageSize);
  images.forEach((image, index) => {
    if (!Array.isArray(image) || image.length !== imageSize) {
      throw new HttpError(400, `image ${index}: expected an array of ${imageSize} pixels (28 x 28, row by row, 0 to 1), received ${Array.isArray(image) ? `${image.length} values` : typeof image}`);
    }
    for (let i = 0; i < imageSize; ++i) {
      const value = image[i];
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new HttpError(400, `image ${index}, pixel ${i}: expected a finite number`);
      pixels[index * imageSize + i] = value;
    }
  });
  return { pixels, count: images.length, single };
}

function answer(probabilities) {
  let label = 0;
  for (let c = 1; c < classes; ++c) if (probabilities[c] > probabilities[label]) label = c;
  return { label, probabilities: Array.from(probabilities) };
}

async function handlePredict(request, response, started) {
  const { pixels, count, single } = parseImages(await readBody(request));
  const { outputs, version } = await predictor.predict(pixels, count);
  const answers = [];
  for (let i = 0; i < count; ++i) answers.push(answer(outputs.subarray(i * classes, (i + 1) * classes)));
  send(response, 200, single ? { ...answers[0], weightsVersion: version } : { predictions: answers, weightsVersion: version });
  metrics.recordPredict(started);
}

/** GET /status; with ?reset=1 the latency figures start afresh after this answer. */
function status(request, response, started, query) {
  send(response, 200, {
    training: training.progress,
    serving: { weightsVersion: predictor.version, ...predictor.stats, ...served },
    latency: metrics.summary(),
    backend: { isa: fg.backendInfo().isa, threads: fg.backendInfo().threads },
  });
  if (query.get('reset') === '1') metrics.reset();
}

const routes = {
  'POST /predict': handlePredict,
  'GET /health': (request, response) => send(response, 200, { status: 'ok' }),
  'GET /status': status,
};

const server = http.createServer((request, response) => {
  const started = process.hrtime.bigint();
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = url.pathname;
  const route = routes[`${request.method} ${path}`];
  served.requests += 1;
  if (route === undefined) {
    const known = Object.keys(routes).some((key) => key.endsWith(` ${path}`));
    send(response, known ? 405 : 404, { error: known ? `${request.method} is not allowed on ${path}` : `no route ${path}` });
    return;
  }
  Promise.resolve()
    .then(() => route(request, response, started, url.searchParams))
    .catch((error) => {
      served.errors += 1;
      if (error instanceof HttpError) send(response, error.status, { error: error.message });
      else send(response, 500, { error: String(error && error.message) });
    });
});
server.keepAliveTimeout = 10_000;

async function main() {
  await new Promise((resolve) => server.listen(config.port, config.host, resolve));
  const { port } = server.address();
  console.log(`faltung server listening on http://${config.host}:${port}`);
  const mnist = await fg.datasets.mnist({ limit: { train: config.trainLimit, test: 1000 } });
  training = startTraining({
    model,
    train: mnist.train,
    test: mnist.test,
    epochs: config.epochs,
    batchSize: config.batchSize,
    publishEvery: config.publishEvery,
    onWeights: (weights, version) => predictor.publish(weights, version),
  });
  console.log(`training on ${mnist.train.images.shape[0]} images for ${config.epochs} epochs`);
  await training.done;
  const { state, testAccuracy, elapsedSeconds } = training.progress;
  console.log(`training ${state} after ${elapsedSeconds.toFixed(1)} s` + (testAccuracy === null ? '' : `, test accuracy ${testAccuracy.toFixed(4)}`));
}

let closing = false;
async function shutdown(signal) {
  if (closing) return;
  closing = true;
  console.log(`${signal}: stopping`);
  server.close();
  server.closeIdleConnections();
  training.stop();
  // Let the running step (a native job writing the weights) finish before the process ends.
  await Promise.race([training.done, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
