// fg.datasets (bundled data sets) and fg.data (IDX and image loading, mini-batch helpers).
// Plain frozen objects of functions; the types are exported beside them for `import type`.
import { batchRanges, gatherRows, shuffle, shuffledIndices } from './batching';
import { loadImage, loadImages } from './image';
import { parseIdx, readIdx, streamIdx } from './idx';
import { defaultMnistDir, mnist } from './mnist';

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
});

export type { BatchRange } from './batching';
export type { ImageChannels, ImageFit, ImageSource, LoadImageOptions } from './image';
export type { IdxArray, IdxChunkSink, IdxData, IdxDataType, IdxInfo, ReadIdxOptions } from './idx';
export type { MnistDataset, MnistLimit, MnistOptions, MnistSplit } from './mnist';
