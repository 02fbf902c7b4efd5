// Background training for the example server: model.fit (each step a native call off the event
// loop) with a progress record for GET /status, and copies of the weights handed on every few
// batches and at each epoch's end. The copies are taken inside fit's callbacks, that is between two
// steps, the only moments when the optimizer is not writing the weights.
'use strict';

class StopRequested extends Error {}

/**
 * Starts training `model` (compiled) on `train` ({images, labels}) and returns
 * { progress, done, stop }: progress is updated in place, done settles when training ends.
 * onWeights(weights, version) receives each copy.
 */
function startTraining({ model, train, test, epochs, batchSize, publishEvery, onWeights }) {
  const count = train.images.shape[0];
  const progress = {
    state: 'training',
    epoch: 0,
    epochs,
    batch: 0,
    batchesPerEpoch: Math.ceil(count / batchSize),
    images: count,
    loss: null,
    accuracy: null,
    imagesPerSecond: null,
    testAccuracy: null,
    weightsVersion: 0,
    startedAt: new Date().toISOString(),
    elapsedSeconds: 0,
    error: null,
  };
  const started = performance.now();
  let stopping = false;
  let epochImages = 0;
  let epochStarted = started;

  const publish = () => {
    progress.weightsVersion += 1;
    onWeights(model.getWeights(), progress.weightsVersion);
  };

  const callbacks = {
    onEpochBegin(epoch) {
      progress.epoch = epoch + 1;
      epochImages = 0;
      epochStarted = performance.now();
    },
    onBatchBegin() {
      if (stopping) throw new StopRequested('training stopped');
    },
    onBatchEnd(batch, logs) {
      progress.batch = batch + 1;
      progress.loss = logs.loss;
      progress.accuracy = logs.accuracy ?? null;
      epochImages += logs.size;
      progress.imagesPerSecond = Math.round(epochImages / ((performance.now() - epochStarted) / 1000));
      progress.elapsedSeconds = (performance.now() - started) / 1000;
      if ((batch + 1) % publishEvery === 0) publish();
    },
    onEpochEnd() {
      publish();
    },
  };

  const done = (async () => {
    try {
      await model.fit(train.images, train.labels, { epochs, batchSize, verbose: 0, callbacks });
      if (test) progress.testAccuracy = (await model.evaluate(test.images, test.labels, { batchSize: 500 })).accuracy;
      progress.state = 'done';
    } catch (error) {
      progress.state = error instanceof StopRequested ? 'stopped' : 'failed';
      if (!(error instanceof StopRequested)) progress.error = String(error && error.message);
    }
    progress.elapsedSeconds = (performance.now() - started) / 1000;
  })();

  return { progress, done, stop: () => { stopping = true; } };
}

module.exports = { startTraining };
