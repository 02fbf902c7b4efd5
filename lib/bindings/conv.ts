// Raw signatures of the native conv group (native/binding/conv.cc). Only lib/ops/conv.ts calls
// them; arguments are validated there first. `geometry` is the packed Int32Array built by
// lib/ops/conv-util.ts (layout in native/kernels/im2col.h). Async variants return a Promise.

export interface ConvBindings {
  /** y (N,OD,OH,OW,OC) = relu?(conv(x (N,D,H,W,C), filter (KD,KH,KW,C,OC)) + bias (OC)). */
  convForward(y: Float32Array, x: Float32Array, filter: Float32Array, bias: Float32Array | null,
    geometry: Int32Array, relu: boolean, async: boolean): Promise<void> | undefined;
  /** dx (N,D,H,W,C) from dy (N,OD,OH,OW,OC) and filter. */
  convBackwardInput(dx: Float32Array, dy: Float32Array, filter: Float32Array, geometry: Int32Array,
    async: boolean): Promise<void> | undefined;
  /** dfilter (KD,KH,KW,C,OC) from x and dy. */
  convBackwardFilter(dfilter: Float32Array, x: Float32Array, dy: Float32Array, geometry: Int32Array,
    async: boolean): Promise<void> | undefined;
  /** dfilter and dbias (OC) together, in one pass over dy where the direct kernels apply. */
  convBackwardFilterBias(dfilter: Float32Array, dbias: Float32Array, x: Float32Array, dy: Float32Array,
    geometry: Int32Array, async: boolean): Promise<void> | undefined;
  /** dbias (channels) = column sums of dy (rows, channels). */
  convBackwardBias(dbias: Float32Array, dy: Float32Array, rows: number, channels: number,
    async: boolean): Promise<void> | undefined;
}
