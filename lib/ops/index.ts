// fg.ops: the native kernels one by one on Tensors, with TensorFlow.js's names and argument order.
export { matMul, matMulAsync } from './matmul';
export { dense, denseAsync, denseGrad } from './dense';
export type { DenseGradients } from './dense';
export * from './activation';
export * from './loss';
export * from './optimizer';
export * from './batchnorm';
export * from './dropout';
export * from './conv';
export * from './pool';
export { convOutputShape, poolOutputShape, windowOutputSize, type Padding, type PaddingMode, type WindowSize } from './conv-util';
