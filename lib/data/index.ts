// fg.datasets (bundled data sets) and fg.data (IDX and image loading, mini-batch helpers).
// Plain frozen objects of functions; the types are exported beside them for `import type`.
import { batchRanges, gatherRows, shuffle, shuffledIndices } from './batching';
import { loadImage, loadImages } from './image';
import { parseIdx, readIdx, streamIdx } from './idx';
import { defaultMnistDir, mnist } from './mnist';
import { logMelSpectrogram, logMelSpectrogramAsync, melFilterbank } from './spectrogram';
import { Vocabulary, buildVocabulary, padSequences, textsToSequences, tokenize } from './text';
import { parseWav, readWav, resample } from './wav';

export const datasets = Object.freeze({ mnist, defaultMnistDir });

export const data = Object.freeze({
  loadImage,
  loadImages,
  readIdx,
  parseIdx,
  streamIdx,
  shuffledIndices,
  shuffle,
  gatherRows,
  batchRanges,
  readWav,
  parseWav,
  resample,
  logMelSpectrogram,
  logMelSpectrogramAsync,
  melFilterbank,
  tokenize,
  buildVocabulary,
  textsToSequences,
  padSequences,
  Vocabulary,
});

export type { BatchRange } from './batching';
export type { ImageChannels, ImageFit, ImageSource, LoadImageOptions } from './image';
export type { IdxArray, IdxChunkSink, IdxData, IdxDataType, IdxInfo, ReadIdxOptions } from './idx';
export type { MnistDataset, MnistLimit, MnistOptions, MnistSplit } from './mnist';
export type { LogMelOptions, MelFilterbankOptions } from './spectrogram';
export type { PadSequencesOptions, SequenceOptions, SequenceSide, TokenizeOptions, TokenLevel, VocabularyJSON, VocabularyOptions } from './text';
export { Vocabulary } from './text';
export type { ReadWavOptions, WavAudio, WavEncoding, WavSource } from './wav';
