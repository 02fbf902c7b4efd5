#!/usr/bin/env node
// A word-level convolutional text classifier (embedding -> conv1d -> global max pooling -> dense)
// on a labelled corpus this script builds itself: sentences about one of four topics that also
// name other topics negated, with filler words and typos. Nothing is downloaded.
// Usage: node examples/text-classifier.js [--quick]   (or FALTUNG_EXAMPLE_QUICK=1: a reduced budget)
'use strict';
const fg = require('../dist/index.js');

const quick = process.argv.includes('--quick') || process.env.FALTUNG_EXAMPLE_QUICK === '1';
const TRAIN = quick ? 800 : 3000;
const TEST = quick ? 300 : 1000;
const EPOCHS = quick ? 4 : 8;
const MAX_LENGTH = 24;

// Each topic is a set of single keywords. A sentence mentions its own topic positively and one or
// two other topics negated ("no rain", "not the striker", "without garlic"), in random order with
// filler around: a bag of words sees two or three topics' keywords equally often and cannot tell
// which one the sentence is about; a 3-word convolution window sees the negation next to its word.
const TOPICS = {
  sports: ['goal', 'striker', 'referee', 'penalty', 'league', 'goalkeeper', 'match', 'coach', 'stadium', 'championship', 'tackle', 'midfield'],
  cooking: ['oven', 'garlic', 'recipe', 'dough', 'soup', 'chef', 'onions', 'pastry', 'sauce', 'skillet', 'basil', 'dessert'],
  weather: ['rain', 'thunder', 'forecast', 'snow', 'drizzle', 'humidity', 'storm', 'fog', 'sunshine', 'hail', 'breeze', 'frost'],
  technology: ['laptop', 'firmware', 'database', 'server', 'compiler', 'router', 'smartphone', 'software', 'keyboard', 'encryption', 'browser', 'chip'],
};
const POSITIVE = ['all about the {}', 'we loved the {}', 'lots of {} today', 'the {} was great', 'more {} please', 'talking about {}', 'what a {}', 'so much {}'];
const NEGATED = ['no {} at all', 'not the {}', 'without any {}', 'never mind the {}', 'zero {}', 'nothing on {}', 'forget the {}', 'no more {}'];
const FILLER = ['yesterday', 'honestly', 'again', 'and', 'then', 'really', 'i think', 'as usual', 'by noon', 'last week', 'they say',
  'of course', 'suddenly', 'well', 'anyway', 'but'];
const NAMES = Object.keys(TOPICS);

function pick(random, list) {
  return list[random.int(list.length)];
}

function typo(random, word) {
  if (word.length < 4 || random.uniform() > 0.05) return word;
  const at = 1 + random.int(word.length - 2);
  return word.slice(0, at) + word.slice(at + 1);  // drop one letter
}

/** One labelled sentence: the label's topic mentioned positively, one or two others negated. */
function sentence(random, label) {
  const others = NAMES.map((_, i) => i).filter((i) => i !== label);
  const negatedCount = 1 + random.int(2);
  const clauses = [pick(random, POSITIVE).replace('{}', pick(random, TOPICS[NAMES[label]]))];
  for (let i = 0; i < negatedCount; ++i) {
    const other = others.splice(random.int(others.length), 1)[0];
    clauses.push(pick(random, NEGATED).replace('{}', pick(random, TOPICS[NAMES[other]])));
  }
  for (let i = clauses.length - 1; i > 0; --i) {  // random clause order
    const j = random.int(i + 1);
    [clauses[i], clauses[j]] = [clauses[j], clauses[i]];
  }
  const parts = [];
  for (const clause of clauses) {
    if (random.uniform() < 0.6) parts.push(pick(random, FILLER));
    parts.push(clause);
  }
  return parts.join(' ').split(' ').map((word) => typo(random, word)).join(' ');
}

function corpus(random, count) {
  const texts = [];
  const labels = [];
  for (let i = 0; i < count; ++i) {
    const label = random.int(NAMES.length);
    texts.push(sentence(random, label));
    labels.push(label);
  }
  return { texts, labels };
}

async function main() {
  const started = Date.now();
  fg.setSeed(42);
  const random = new fg.Random(7);
  const train = corpus(random, TRAIN);
  const test = corpus(random, TEST);
  // The vocabulary comes from the training texts only: test typos and rare words become <oov>.
  const vocabulary = fg.data.buildVocabulary(train.texts, { minCount: 2 });
  const xTrain = fg.data.textsToSequences(train.texts, vocabulary, { maxLength: MAX_LENGTH, padding: 'post' });
  const xTest = fg.data.textsToSequences(test.texts, vocabulary, { maxLength: MAX_LENGTH, padding: 'post' });
  const yTrain = fg.oneHot(train.labels, NAMES.length);
  const yTest = fg.oneHot(test.labels, NAMES.length);
  console.log(`corpus: ${TRAIN} training and ${TEST} test sentences, ${vocabulary.size} vocabulary entries, e.g.`);
  for (let i = 0; i < 3; ++i) console.log(`  [${NAMES[train.labels[i]]}] ${train.texts[i]}`);

  const model = fg.sequential([
    fg.layers.embedding({ inputDim: vocabulary.size, outputDim: 24, inputLength: MAX_LENGTH }),
    fg.layers.conv1d({ filters: 48, kernelSize: 3, activation: 'relu' }),
    fg.layers.globalMaxPooling1d(),
    fg.layers.dropout({ rate: 0.3 }),
    fg.layers.dense({ units: NAMES.length, activation: 'softmax' }),
  ]);
  model.summary();
  model.compile({ optimizer: fg.optimizers.adam({ learningRate: 0.005 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(xTrain, yTrain, { epochs: EPOCHS, batchSize: 32, validationSplit: 0.1, verbose: 1 });
  const { accuracy } = await model.evaluate(xTest, yTest, { batchSize: 256 });

  const probe = ['no rain at all but we loved the garlic', 'forget the server what a storm', 'not the referee lots of encryption today'];
  const predicted = model.predict(fg.data.textsToSequences(probe, vocabulary, { maxLength: MAX_LENGTH, padding: 'post' }));
  probe.forEach((text, i) => {
    const row = Array.from(predicted.data.subarray(i * NAMES.length, (i + 1) * NAMES.length));
    console.log(`  "${text}" -> ${NAMES[row.indexOf(Math.max(...row))]}`);
  });

  // The same data for a bag-of-words model (embedding -> global average pooling -> dense): it sees
  // which words occur but not their neighbours, so it cannot tell the topic from the negated ones.
  const bagOfWords = fg.sequential([
    fg.layers.embedding({ inputDim: vocabulary.size, outputDim: 24, inputLength: MAX_LENGTH }),
    fg.layers.globalAveragePooling1d(),
    fg.layers.dense({ units: NAMES.length, activation: 'softmax' }),
  ]);
  bagOfWords.compile({ optimizer: fg.optimizers.adam({ learningRate: 0.005 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await bagOfWords.fit(xTrain, yTrain, { epochs: EPOCHS, batchSize: 32, verbose: 0 });
  const baseline = (await bagOfWords.evaluate(xTest, yTest, { batchSize: 256 })).accuracy;
  console.log(`bag-of-words baseline: test accuracy ${baseline.toFixed(4)}; convolutional model: ${accuracy.toFixed(4)}`);
  const seconds = (Date.now() - started) / 1000;
  console.log(`RESULT text-classifier accuracy=${accuracy.toFixed(4)} baseline=${baseline.toFixed(4)} seconds=${seconds.toFixed(1)} mode=${quick ? 'quick' : 'full'}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
