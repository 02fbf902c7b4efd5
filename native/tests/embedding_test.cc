// Native tests of the embedding kernels: forward gather and backward scatter-add against the
// scalar references on seeded sizes (ids repeated, vocabulary rows never used, widths around the
// vector lengths), bit-identical backward results on 1 and 2 threads, and the id checks.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "../kernels/embedding.h"
#include "../runtime/thread_pool.h"
#include "check.h"

namespace faltung::testing {
namespace {

std::vector<double> widen(const std::vector<float>& values) {
  return std::vector<double>(values.begin(), values.end());
}

std::vector<float> random_ids(Random& random, int64_t R, int64_t V) {
  std::vector<float> ids(static_cast<size_t>(R));
  for (float& id : ids) id = static_cast<float>(random.below(V));
  return ids;
}

std::string describe(int64_t R, int64_t V, int64_t E) {
  return "R=" + std::to_string(R) + " V=" + std::to_string(V) + " E=" + std::to_string(E);
}

}  // namespace

FALTUNG_TEST(embedding_kernels_match_reference) {
  Random random(5);
  const int64_t sizes[][3] = {{1, 1, 1},    {7, 3, 5},     {40, 9, 16},     {33, 100, 17},
                              {256, 50, 64}, {1000, 7, 33}, {3000, 4000, 48}, {5, 2, 129}};
  for (const auto& size : sizes) {
    const int64_t R = size[0], V = size[1], E = size[2];
    const std::vector<float> ids = random_ids(random, R, V);
    const std::vector<float> table = random.vector(V * E);
    const std::vector<float> dy = random.vector(R * E);
    std::vector<float> out(static_cast<size_t>(R * E), 99.0f), out_expected(out.size());
    std::vector<float> dtable(static_cast<size_t>(V * E), 99.0f), dtable_expected(dtable.size());
    expect_true(embedding_forward_f32(out.data(), ids.data(), table.data(), R, V, E) == Status::ok,
                "forward " + describe(R, V, E));
    embedding_forward_f32_reference(out_expected.data(), ids.data(), table.data(), R, E);
    expect_close(out.data(), widen(out_expected).data(), R * E, 0.0, 0.0, "forward " + describe(R, V, E));
    expect_true(embedding_backward_f32(dtable.data(), dy.data(), ids.data(), R, V, E) == Status::ok,
                "backward " + describe(R, V, E));
    embedding_backward_f32_reference(dtable_expected.data(), dy.data(), ids.data(), R, V, E);
    // Same additions in the same order: exact.
    expect_close(dtable.data(), widen(dtable_expected).data(), V * E, 0.0, 0.0, "backward " + describe(R, V, E));
  }
}

FALTUNG_TEST(embedding_backward_same_bits_on_any_thread_count) {
  Random random(9);
  const int64_t R = 20000, V = 3000, E = 40;
  const std::vector<float> ids = random_ids(random, R, V);
  const std::vector<float> dy = random.vector(R * E);
  const int saved = num_threads();
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    std::vector<float> dtable(static_cast<size_t>(V * E), 7.0f);
    expect_true(embedding_backward_f32(dtable.data(), dy.data(), ids.data(), R, V, E) == Status::ok, "backward");
    results.push_back(dtable);
  }
  set_num_threads(saved);
  for (size_t index = 1; index < results.size(); ++index) {
    expect_close(results[index].data(), widen(results[0]).data(), V * E, 0.0, 0.0,
                 "threads run " + std::to_string(index) + " vs 1 thread");
  }
}

FALTUNG_TEST(embedding_rejects_bad_ids) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float infinity = std::numeric_limits<float>::infinity();
  const float bad_values[] = {-1.0f, 5.0f, 6.0f, 2.5f, nan, infinity, -infinity, 1e30f, -0.5f};
  const std::vector<float> table(5 * 3, 1.0f);
  for (float bad : bad_values) {
    std::vector<float> ids = {0.0f, 4.0f, bad, 1.0f};
    std::vector<float> out(4 * 3, 42.0f);
    int64_t where = 0;
    expect_true(check_embedding_ids(ids.data(), 4, 5, &where) == Status::invalid_data && where == 2,
                "check flags position 2 for " + std::to_string(bad));
    expect_true(embedding_forward_f32(out.data(), ids.data(), table.data(), 4, 5, 3) == Status::invalid_data,
                "forward rejects " + std::to_string(bad));
    bool untouched = true;
    for (float value : out) untouched = untouched && value == 42.0f;
    expect_true(untouched, "forward writes nothing when an id is bad");
    std::vector<float> dtable(5 * 3, 0.0f);
    expect_true(embedding_backward_f32(dtable.data(), out.data(), ids.data(), 4, 5, 3) == Status::invalid_data,
                "backward rejects " + std::to_string(bad));
  }
  const std::vector<float> ids = {0.0f, -0.0f, 4.0f};
  expect_true(check_embedding_ids(ids.data(), 3, 5, nullptr) == Status::ok, "0, -0 and V-1 are valid ids");
  expect_true(check_embedding_ids(ids.data(), 3, 0, nullptr) == Status::invalid_argument, "V = 0 is refused");
  expect_true(check_embedding_ids(ids.data(), 3, kMaxEmbeddingVocabulary + 1, nullptr) == Status::invalid_argument,
              "V above 2^24 is refused");
  const float big = static_cast<float>(kMaxEmbeddingVocabulary - 1);
  expect_true(check_embedding_ids(&big, 1, kMaxEmbeddingVocabulary, nullptr) == Status::ok, "id 2^24 - 1 is valid");
}

}  // namespace faltung::testing
