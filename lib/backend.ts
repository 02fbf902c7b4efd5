// Backend control: ISA path, thread count and build information of the native core.
import { native } from './native';
import { checkInteger, checkOneOf } from './validate';

export type Isa = 'scalar' | 'neon' | 'avx2' | 'avx512';

export interface BackendInfo {
  /** ISA path the kernels use now. */
  isa: Isa;
  /** Best path this CPU supports. */
  bestIsa: Isa;
  supportedIsas: Isa[];
  threads: number;
  compiler: string;
  buildType: string;
  buildSystem: string;
  sanitizers: string;
}

export function backendInfo(): BackendInfo {
  return native.backendInfo() as BackendInfo;
}

/** Uses `count` threads for the kernels (default: the number of cores). */
export function setNumThreads(count: number): void {
  native.setNumThreads(checkInteger('count', count, 1, 256));
}

export function getNumThreads(): number {
  return native.getNumThreads();
}

/**
 * Forces an ISA path (only one this CPU supports). Meant for tests and benchmarks; the
 * FALTUNG_ISA environment variable does the same at start-up.
 */
export function setIsa(isa: Isa): void {
  native.setIsa(checkOneOf('isa', isa, ['scalar', 'neon', 'avx2', 'avx512'] as const));
}
