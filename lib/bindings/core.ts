// Raw signatures of the backend and GEMM groups (native/binding/backend.cc, gemm.cc).
// Async variants return a Promise; sync ones return undefined and write into their outputs.

export interface CoreBindings {
  setErrorClass(errorClass: new (message: string, code: string) => Error): void;
  backendInfo(): {
    isa: string;
    bestIsa: string;
    supportedIsas: string[];
    threads: number;
    compiler: string;
    buildType: string;
    buildSystem: string;
    sanitizers: string;
  };
  setIsa(isa: string): void;
  setNumThreads(count: number): void;
  getNumThreads(): number;
  /** c (M,N) = alpha * op(a) * op(b) + beta * c. */
  sgemm(c: Float32Array, a: Float32Array, b: Float32Array, M: number, N: number, K: number,
    transposeA: boolean, transposeB: boolean, alpha: number, beta: number, async: boolean): Promise<void> | undefined;
}
