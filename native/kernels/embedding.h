// Embedding lookup: integer token ids -> rows of a table, and the backward scatter-add of the
// rows' gradients into the table gradient. Ids arrive as float32 values (the network carries one
// dtype); deliberately no sparse gradient: the table gradient is dense, as every optimizer here
// updates whole parameters.
//
// Dimension key: R rows to look up (batch * positions), V vocabulary size (table rows),
// E embedding width (table columns).
#pragma once

#include <cstdint>

#include "status.h"

namespace faltung {

// Largest vocabulary: every id below it is exactly representable as a float32.
constexpr int64_t kMaxEmbeddingVocabulary = int64_t{1} << 24;

// Status::invalid_data unless every ids[r] is an integer in [0, V). *bad_index (if given)
// receives the first offending position (or -1).
Status check_embedding_ids(const float* ids, int64_t R, int64_t V, int64_t* bad_index);

// ids (R), table (V,E) -> out (R,E): out[r] = table[ids[r]]. Checks the ids first and writes
// nothing when one is bad (Status::invalid_data).
Status embedding_forward_f32(float* out, const float* ids, const float* table, int64_t R, int64_t V,
                             int64_t E);

// dy (R,E), ids (R) -> dtable (V,E) = sum over r with ids[r] == v of dy[r], overwriting dtable.
// Rows are added in increasing r for every table row, whatever the thread count, so the result
// is the same bit for bit on 1 or many threads. Checks the ids first (Status::invalid_data).
Status embedding_backward_f32(float* dtable, const float* dy, const float* ids, int64_t R, int64_t V,
                              int64_t E);

// One row at a time, scalar: the documentation and the test oracle.
void embedding_forward_f32_reference(float* out, const float* ids, const float* table, int64_t R,
                                     int64_t E);
void embedding_backward_f32_reference(float* dtable, const float* dy, const float* ids, int64_t R,
                                      int64_t V, int64_t E);

}  // namespace faltung
