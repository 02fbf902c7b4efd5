// faltung's public entry point: `import * as fg from 'faltung'` or `require('faltung')`.
export { Tensor, tensor, zeros, ones, oneHot } from './tensor';
export type { DataType } from './tensor';
export { FaltungError } from './errors';
export { backendInfo, setNumThreads, getNumThreads, setIsa } from './backend';
export type { BackendInfo, Isa } from './backend';
export * as ops from './ops/index';
export { gradCheck } from './gradcheck';
export { datasets, data } from './data/index';
export { setSeed, getSeed, Random } from './random';
export type { MnistDataset, MnistOptions, MnistSplit, MnistLimit, LoadImageOptions, ImageChannels, ImageFit, ImageSource } from './data/index';
export * as layers from './layers/index';
export { Sequential, sequential } from './model';
export type { CompileArgs, FitArgs, EvaluateResult } from './model';
export * as optimizers from './optimizers';
export { History } from './callbacks';
export type { Callback, Logs } from './callbacks';
export type { GradCheckOptions, GradCheckResult, GradCheckMismatch } from './gradcheck';
