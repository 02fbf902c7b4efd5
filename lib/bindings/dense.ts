// Raw signatures of the native dense group (native/binding/dense.cc). Only lib/ops/dense.ts calls
// them; arguments are validated there first.

export interface DenseBindings {
  /** out (N,U) = x (N,I) w (I,U) + bias (U). */
  denseForward(out: Float32Array, x: Float32Array, w: Float32Array, bias: Float32Array | null,
    N: number, I: number, U: number, async: boolean): Promise<void> | undefined;
  /** dx = dy w^T, dw (+)= x^T dy, dbias (+)= column sums of dy. */
  denseBackward(dx: Float32Array | null, dw: Float32Array, dbias: Float32Array | null, dy: Float32Array,
    x: Float32Array, w: Float32Array, N: number, I: number, U: number, accumulate: boolean,
    async: boolean): Promise<void> | undefined;
}
