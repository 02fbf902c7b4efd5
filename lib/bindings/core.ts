// Raw signatures of the backend and GEMM groups (native/binding/backend.cc, gemm.cc).
// Async variants return a Promise; sync ones return undefined and write into their outputs.

export interface CoreBindings {
  setErrorClass(errorClass: new (message: string, code: string) => Error): void;
  /** The function native code calls on the buffer of each array it holds past a call (lib/native.ts pinBuffer). */
  setBufferPinner(pin: (buffer: ArrayBuffer | SharedArrayBuffer) => boolean): void;
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
  /**
   * c (M,N) = alpha * op(a) (M,K) * op(b) (K,N) + beta * c, row-major, dense. a is stored (M,K),
   * or (K,M) when transposeA; b is stored (K,N), or (N,K) when transposeB. Array lengths must
   * equal the products of their dimensions. beta == 0 ignores c's contents (NaNs included);
   * alpha == 0 or K == 0 give beta * c without reading a or b. Outputs must not alias inputs.
   */
  sgemm(c: Float32Array, a: Float32Array, b: Float32Array, M: number, N: number, K: number,
    transposeA: boolean, transposeB: boolean, alpha: number, beta: number, async: boolean): Promise<void> | undefined;
}
