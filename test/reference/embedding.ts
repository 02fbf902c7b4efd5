// Float64 references of the embedding layer: plain loops, the oracle for the native kernels.

/** ids (R), table (V,E) -> out (R,E) = table[ids[r]]. */
export function embeddingForwardReference(ids: ArrayLike<number>, table: ArrayLike<number>, E: number): Float64Array {
  const out = new Float64Array(ids.length * E);
  for (let r = 0; r < ids.length; ++r) {
    for (let e = 0; e < E; ++e) out[r * E + e] = table[ids[r] * E + e];
  }
  return out;
}

/** dy (R,E), ids (R) -> dtable (V,E) = sum of dy rows per id. */
export function embeddingBackwardReference(dy: ArrayLike<number>, ids: ArrayLike<number>, V: number, E: number): Float64Array {
  const dtable = new Float64Array(V * E);
  for (let r = 0; r < ids.length; ++r) {
    for (let e = 0; e < E; ++e) dtable[ids[r] * E + e] += dy[r * E + e];
  }
  return dtable;
}
