// faltung's public entry point: `import * as fg from 'faltung'` or `require('faltung')`.
export { Tensor, tensor, zeros, ones, oneHot } from './tensor';
export type { DataType } from './tensor';
export { FaltungError } from './errors';
export { backendInfo, setNumThreads, getNumThreads, setIsa } from './backend';
export type { BackendInfo, Isa } from './backend';
export * as ops from './ops/index';
export { gradCheck } from './gradcheck';
export type { GradCheckOptions, GradCheckResult, GradCheckMismatch } from './gradcheck';
