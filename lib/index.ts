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
export type { NonFiniteLossAction, NonFiniteLossEvent, NonFiniteLossPolicy } from './non_finite_loss';
export * as optimizers from './optimizers';
export { History } from './callbacks';
export type { Callback, Logs } from './callbacks';
export type { GradCheckOptions, GradCheckResult, GradCheckMismatch } from './gradcheck';
export { loadModel } from './io/model_io';
import { earlyStopping, EarlyStopping } from './callbacks/early_stopping';
import { modelCheckpoint, ModelCheckpoint } from './callbacks/model_checkpoint';
import {
  LearningRateSchedule, ReduceLROnPlateau, cosineDecay, exponentialDecay, oneCycle, reduceLROnPlateau, stepDecay,
} from './callbacks/schedules';
/** fg.callbacks: early stopping, checkpoints and learning-rate schedules for fit({callbacks}). */
export const callbacks = Object.freeze({
  earlyStopping, modelCheckpoint, stepDecay, exponentialDecay, cosineDecay, oneCycle, reduceLROnPlateau,
  EarlyStopping, ModelCheckpoint, LearningRateSchedule, ReduceLROnPlateau,
});
export type { EarlyStoppingArgs, MonitorMode } from './callbacks/early_stopping';
export type { ModelCheckpointArgs } from './callbacks/model_checkpoint';
export * as applications from './applications/index';
export type { StepDecayArgs, ExponentialDecayArgs, CosineDecayArgs, OneCycleArgs, ReduceLROnPlateauArgs } from './callbacks/schedules';
export * as tuning from './tuning/index';
export type { SpatialStructureOptions, SpatialStructureResult } from './tuning/index';
export type { LogMelOptions, MelFilterbankOptions, ReadWavOptions, WavAudio, WavEncoding, WavSource, TokenizeOptions, TokenLevel, VocabularyOptions, VocabularyJSON, SequenceOptions, SequenceSide, PadSequencesOptions, Vocabulary } from './data/index';
export * as visualize from './visualize/index';
