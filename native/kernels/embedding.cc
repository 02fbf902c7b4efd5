// Embedding kernels: the forward pass copies table rows (memory-bound, parallel over rows); the
// backward pass gives each chunk of table rows to one thread, which zeroes them and then walks
// every id in order, adding the dy rows that land in its chunk. No atomics, and each table row
// sums its contributions in increasing r on any thread count. Portable C++: the row copies and
// adds vectorize as written, and there is nothing an ISA-specific variant would add.
#include "embedding.h"

#include <algorithm>
#include <cstring>

#include "../runtime/thread_pool.h"

namespace faltung {
namespace {

// The id at ids[r] as an index, or -1 when it is not an integer in [0, V). Comparisons are
// written so that NaN fails them, and the cast only happens once the value is known to fit.
inline int64_t id_at(const float* ids, int64_t r, int64_t V) {
  const float value = ids[r];
  if (!(value >= 0.0f && value < static_cast<float>(V))) return -1;
  const int64_t id = static_cast<int64_t>(value);
  if (static_cast<float>(id) != value || id >= V) return -1;
  return id;
}

// Runs body over [0, count) in chunks of `grain`, on the pool when the work is worth it.
void run_chunks(double work, int64_t count, int64_t grain, FunctionRef<void(int64_t begin, int64_t end)> body) {
  if (count <= 0) return;
  if (threads_for_work(work) <= 1) {
    body(0, count);
  } else {
    parallel_for(count, grain, body);
  }
}

}  // namespace

Status check_embedding_ids(const float* ids, int64_t R, int64_t V, int64_t* bad_index) {
  if (bad_index != nullptr) *bad_index = -1;
  if (R < 0 || V < 1 || V > kMaxEmbeddingVocabulary) return Status::invalid_argument;
  for (int64_t r = 0; r < R; ++r) {
    if (id_at(ids, r, V) < 0) {
      if (bad_index != nullptr) *bad_index = r;
      return Status::invalid_data;
    }
  }
  return Status::ok;
}

Status embedding_forward_f32(float* out, const float* ids, const float* table, int64_t R, int64_t V,
                             int64_t E) {
  if (E < 0) return Status::invalid_argument;
  const Status status = check_embedding_ids(ids, R, V, nullptr);
  if (status != Status::ok) return status;
  if (E == 0) return Status::ok;
  const size_t row_bytes = sizeof(float) * static_cast<size_t>(E);
  const int64_t grain = std::max<int64_t>(1, 16384 / E);
  run_chunks(static_cast<double>(R) * E, R, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      std::memcpy(out + r * E, table + id_at(ids, r, V) * E, row_bytes);
    }
  });
  return Status::ok;
}

Status embedding_backward_f32(float* dtable, const float* dy, const float* ids, int64_t R, int64_t V,
                              int64_t E) {
  if (E < 0) return Status::invalid_argument;
  const Status status = check_embedding_ids(ids, R, V, nullptr);
  if (status != Status::ok) return status;
  if (E == 0) return Status::ok;
  // Each chunk of table rows costs a zeroing pass over its rows plus one scan of all R ids, so
  // chunks stay few (a scan per chunk) but large enough to spread over the threads.
  const int64_t grain = std::max<int64_t>(1, V / 16);
  const double work = static_cast<double>(V) * E + static_cast<double>(R) * E;
  run_chunks(work, V, grain, [&](int64_t first_row, int64_t end_row) {
    std::memset(dtable + first_row * E, 0, sizeof(float) * static_cast<size_t>((end_row - first_row) * E));
    for (int64_t r = 0; r < R; ++r) {
      const int64_t id = id_at(ids, r, V);
      if (id < first_row || id >= end_row) continue;
      float* target = dtable + id * E;
      const float* source = dy + r * E;
      for (int64_t e = 0; e < E; ++e) target[e] += source[e];
    }
  });
  return Status::ok;
}

void embedding_forward_f32_reference(float* out, const float* ids, const float* table, int64_t R,
                                     int64_t E) {
  for (int64_t r = 0; r < R; ++r) {
    const int64_t id = static_cast<int64_t>(ids[r]);
    for (int64_t e = 0; e < E; ++e) out[r * E + e] = table[id * E + e];
  }
}

void embedding_backward_f32_reference(float* dtable, const float* dy, const float* ids, int64_t R,
                                      int64_t V, int64_t E) {
  for (int64_t index = 0; index < V * E; ++index) dtable[index] = 0.0f;
  for (int64_t r = 0; r < R; ++r) {
    const int64_t id = static_cast<int64_t>(ids[r]);
    for (int64_t e = 0; e < E; ++e) dtable[id * E + e] += dy[r * E + e];
  }
}

}  // namespace faltung
