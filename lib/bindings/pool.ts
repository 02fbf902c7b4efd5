// Raw signatures of the native pool group (native/binding/pool.cc). Only lib/ops/pool.ts calls
// them; arguments are validated there first. `geometry` is the packed Int32Array built by
// lib/ops/conv-util.ts (out channels = in channels, dilation 1). Async variants return a Promise.

type Done = Promise<void> | undefined;

export interface PoolBindings {
  /** y (N,OD,OH,OW,C) = window maxima of x (N,D,H,W,C). */
  maxPoolForward(y: Float32Array, x: Float32Array, geometry: Int32Array, async: boolean): Done;
  /** y = window means over real (non-padded) cells. */
  avgPoolForward(y: Float32Array, x: Float32Array, geometry: Int32Array, async: boolean): Done;
  /** dx (N,D,H,W,C): each dy to its window's first maximum in x. */
  maxPoolBackward(dx: Float32Array, dy: Float32Array, x: Float32Array, geometry: Int32Array, async: boolean): Done;
  /** dx: dy / count spread over each window's real cells. */
  avgPoolBackward(dx: Float32Array, dy: Float32Array, geometry: Int32Array, async: boolean): Done;
  /** y (N,C) = mean of x (N,S,C) over S. */
  globalAvgPoolForward(y: Float32Array, x: Float32Array, N: number, S: number, C: number, async: boolean): Done;
  /** y (N,C) = maximum of x (N,S,C) over S. */
  globalMaxPoolForward(y: Float32Array, x: Float32Array, N: number, S: number, C: number, async: boolean): Done;
  /** dx (N,S,C) = dy (N,C) / S. */
  globalAvgPoolBackward(dx: Float32Array, dy: Float32Array, N: number, S: number, C: number, async: boolean): Done;
  /** dx (N,S,C): dy (N,C) at the first maximum of x over S, zeros elsewhere. */
  globalMaxPoolBackward(dx: Float32Array, dy: Float32Array, x: Float32Array, N: number, S: number, C: number,
    async: boolean): Done;
}
