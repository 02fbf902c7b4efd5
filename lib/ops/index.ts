// fg.ops: the native kernels one by one on Tensors, with TensorFlow.js's names and argument order.
export { matMul, matMulAsync } from './matmul';
export * from './activation';
export * from './loss';
export * from './optimizer';
export * from './batchnorm';
export * from './dropout';
