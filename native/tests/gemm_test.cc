// Native tests of the SGEMM engine, run by main.cc once per ISA path: the driver against a float64
// reference over an edge grid (M, N below/at/above the register tile and the M block, K below/at/
// above the K block, all transposes, alpha/beta, padded leading dimensions), bitwise agreement of 1
// and 2 threads, BLAS corner semantics, and the active microkernel and packing routines between
// guard pages (any read or write past the named elements faults). Deliberately no timing.
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#define FALTUNG_HAVE_GUARD_PAGES 1
#endif

#include "../kernels/arch/gemm_microkernels.h"
#include "../kernels/gemm.h"
#include "../runtime/isa.h"
#include "../runtime/thread_pool.h"
#include "check.h"

namespace faltung::testing {
namespace {

constexpr float kSentinel = 12345.0f;  // fills padding that sgemm must not touch

struct GemmCase {
  bool transpose_a, transpose_b;
  int64_t M, N, K;
  float alpha, beta;
  int64_t pad;  // extra columns in every leading dimension
};

std::string describe(const GemmCase& g) {
  char text[200];
  std::snprintf(text, sizeof text, "%s M=%lld N=%lld K=%lld tA=%d tB=%d alpha=%g beta=%g pad=%lld",
                isa_name(active_isa()), static_cast<long long>(g.M), static_cast<long long>(g.N),
                static_cast<long long>(g.K), g.transpose_a, g.transpose_b, g.alpha, g.beta,
                static_cast<long long>(g.pad));
  return text;
}

struct GemmData {
  int64_t lda, ldb, ldc;
  std::vector<float> a, b, c_initial;
  std::vector<double> expected;  // M*N, dense
};

// Random operands (A, B in [-1,1); C's old contents NaN when beta == 0, to prove they are ignored)
// and the float64 reference alpha * op(A) op(B) + beta * C.
GemmData make_data(const GemmCase& g, uint64_t seed) {
  Random random(seed);
  GemmData data;
  const int64_t a_rows = g.transpose_a ? g.K : g.M;
  const int64_t a_cols = g.transpose_a ? g.M : g.K;
  const int64_t b_rows = g.transpose_b ? g.N : g.K;
  const int64_t b_cols = g.transpose_b ? g.K : g.N;
  data.lda = std::max<int64_t>(1, a_cols + g.pad);
  data.ldb = std::max<int64_t>(1, b_cols + g.pad);
  data.ldc = g.N + g.pad;
  data.a = random.vector(a_rows * data.lda);
  data.b = random.vector(b_rows * data.ldb);
  data.c_initial.assign(static_cast<size_t>(g.M * data.ldc), kSentinel);
  for (int64_t i = 0; i < g.M; ++i) {
    for (int64_t j = 0; j < g.N; ++j) {
      data.c_initial[i * data.ldc + j] = g.beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : random.uniform();
    }
  }
  data.expected.assign(static_cast<size_t>(g.M * g.N), 0.0);
  for (int64_t i = 0; i < g.M; ++i) {
    for (int64_t j = 0; j < g.N; ++j) {
      double sum = 0.0;
      for (int64_t p = 0; p < g.K; ++p) {
        const double av = g.transpose_a ? data.a[p * data.lda + i] : data.a[i * data.lda + p];
        const double bv = g.transpose_b ? data.b[j * data.ldb + p] : data.b[p * data.ldb + j];
        sum += av * bv;
      }
      double value = static_cast<double>(g.alpha) * sum;
      if (g.beta != 0.0f) value += static_cast<double>(g.beta) * data.c_initial[i * data.ldc + j];
      data.expected[i * g.N + j] = value;
    }
  }
  return data;
}

// Runs sgemm on a copy of C's initial contents with up to `threads` threads.
std::vector<float> run_sgemm(const GemmCase& g, const GemmData& data, int threads) {
  std::vector<float> c = data.c_initial;
  const Status status = sgemm_f32(g.transpose_a, g.transpose_b, g.M, g.N, g.K, g.alpha, data.a.data(), data.lda,
                                  data.b.data(), data.ldb, g.beta, c.data(), data.ldc, threads);
  expect_true(status == Status::ok, describe(g) + ": status " + status_code(status));
  return c;
}

// Float32 accumulation error grows with K: |error| <~ K * eps * sum |a b|; values are in [-1, 1).
void check_result(const GemmCase& g, const GemmData& data, const std::vector<float>& c, const std::string& label) {
  std::vector<float> dense(static_cast<size_t>(g.M * g.N));
  bool padding_intact = true;
  for (int64_t i = 0; i < g.M; ++i) {
    for (int64_t j = 0; j < data.ldc; ++j) {
      if (j < g.N) {
        dense[i * g.N + j] = c[i * data.ldc + j];
      } else if (c[i * data.ldc + j] != kSentinel) {
        padding_intact = false;
      }
    }
  }
  expect_true(padding_intact, label + ": wrote into C's padding");
  const double k = static_cast<double>(g.K);
  const double atol = 1e-6 + 1e-6 * k * std::fabs(g.alpha);
  const double rtol = 1e-6 * (4.0 + k);
  expect_close(dense.data(), data.expected.data(), g.M * g.N, atol, rtol, label);
}

void check_case(const GemmCase& g, uint64_t seed) {
  const GemmData data = make_data(g, seed);
  const std::vector<float> one = run_sgemm(g, data, 1);
  check_result(g, data, one, describe(g) + " threads=1");
  const std::vector<float> two = run_sgemm(g, data, 2);
  // Same summation order whatever the split: the bits must agree (NaN-free by construction).
  expect_true(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0,
              describe(g) + ": 1 and 2 threads differ");
}

FALTUNG_TEST(gemm_edge_grid) {
  const GemmKernelInfo info = sgemm_f32_kernel_info();
  const int64_t mr = info.mr;
  const int64_t nr = info.nr;
  const int64_t kc = info.kc;
  const std::vector<int64_t> ms = {1, mr - 1, mr, mr + 1, 3 * mr + 2, info.mc + 5};
  // The last N has more column panels than the driver uses A in place for: A is packed.
  const std::vector<int64_t> ns = {1, nr - 1, nr, nr + 1, 2 * nr + 3, 13 * nr + 5};
  const std::vector<int64_t> ks = {1, 5, kc - 1, kc, kc + 1, 2 * kc + 3};
  const float alphas[] = {1.0f, -0.5f, 2.0f};
  const float betas[] = {0.0f, 1.0f, 0.25f, -1.5f};
  uint64_t index = 0;
  for (int64_t M : ms) {
    for (int64_t N : ns) {
      for (int64_t K : ks) {
        if (M < 1 || N < 1 || K < 1) continue;
        ++index;
        GemmCase g{(index & 1) != 0, (index & 2) != 0, M, N, K, alphas[index % 3], betas[(index / 3) % 4],
                   static_cast<int64_t>((index / 5) % 3 == 0 ? 3 : 0)};
        check_case(g, index);
      }
    }
  }
}

// Shapes that reach the other blocking levels and thread splits: several M blocks, more columns
// than one N block, a column split (wide C), and every transpose on one mid-sized product.
FALTUNG_TEST(gemm_blocks_and_splits) {
  const GemmKernelInfo info = sgemm_f32_kernel_info();
  const GemmCase cases[] = {
      {false, false, 3 * info.mc + 7, 40, 33, 1.0f, 0.0f, 0},
      {false, false, 9, info.nc + info.nr + 3, 30, 1.0f, 0.5f, 1},
      {true, true, 5, info.nc + 1, 20, -1.0f, 0.0f, 2},
      {false, false, 20, 700, 50, 1.0f, 0.0f, 0},
      {false, false, 7, 1000, 300, 1.0f, 0.0f, 0},     // one M block: B blocks sized for L2
      {false, false, 20, 40, 1024, 1.0f, 0.0f, 0},     // lda a multiple of 4 KiB: A packed
      {false, true, 2 * info.mc + 3, 3, 2 * info.kc + 1, 2.0f, 0.5f, 1},
      {false, false, 96, 96, 96, 1.0f, 0.0f, 0},
      {false, true, 96, 96, 96, 1.0f, 0.0f, 0},
      {true, false, 96, 96, 96, 1.0f, 0.0f, 0},
      {true, true, 96, 96, 96, 0.75f, 2.0f, 4},
  };
  uint64_t seed = 100;
  for (const GemmCase& g : cases) check_case(g, ++seed);
}

// Seeded random shapes across the small-path threshold and odd sizes.
FALTUNG_TEST(gemm_random_shapes) {
  Random random(7);
  for (int trial = 0; trial < 24; ++trial) {
    GemmCase g{random.below(2) == 1, random.below(2) == 1, 1 + random.below(90), 1 + random.below(90),
               1 + random.below(300), random.below(4) == 0 ? -1.25f : 1.0f, random.below(3) == 0 ? 0.5f : 0.0f,
               random.below(3)};
    check_case(g, 1000 + static_cast<uint64_t>(trial));
  }
}

// BLAS corner cases: K == 0 and alpha == 0 give beta * C and read neither A nor B (NaNs there do
// not leak); beta == 0 overwrites NaNs in C; empty C is a no-op; bad arguments are refused.
FALTUNG_TEST(gemm_corner_semantics) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const int64_t sizes[] = {3, 70};  // the direct path and the blocked path
  for (int64_t n : sizes) {
    const std::string label = std::string(isa_name(active_isa())) + " n=" + std::to_string(n);
    std::vector<float> a(static_cast<size_t>(n * n), nan);
    std::vector<float> b(static_cast<size_t>(n * n), nan);
    std::vector<float> c(static_cast<size_t>(n * n), 2.0f);
    expect_true(sgemm_f32(false, false, n, n, n, 0.0f, a.data(), n, b.data(), n, 0.5f, c.data(), n) == Status::ok,
                label + ": alpha=0 status");
    bool all_one = true;
    for (float value : c) all_one = all_one && value == 1.0f;
    expect_true(all_one, label + ": alpha=0 must give beta*C without reading A, B");
    expect_true(sgemm_f32(false, false, n, n, 0, 1.0f, nullptr, 1, nullptr, n, 0.0f, c.data(), n) == Status::ok,
                label + ": K=0 status");
    bool all_zero = true;
    for (float value : c) all_zero = all_zero && value == 0.0f;
    expect_true(all_zero, label + ": K=0, beta=0 must zero C");

    Random random(3);
    a = random.vector(n * n);
    b = random.vector(n * n);
    std::fill(c.begin(), c.end(), nan);
    sgemm_f32(false, false, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
    bool finite = true;
    for (float value : c) finite = finite && std::isfinite(value);
    expect_true(finite, label + ": beta=0 must ignore NaNs in C");
  }
  float one = 1.0f;
  expect_true(sgemm_f32(false, false, 0, 5, 5, 1.0f, nullptr, 5, nullptr, 5, 0.0f, nullptr, 5) == Status::ok,
              "M=0 is a no-op");
  expect_true(sgemm_f32(false, false, -1, 1, 1, 1.0f, &one, 1, &one, 1, 0.0f, &one, 1) == Status::invalid_argument,
              "negative M refused");
  expect_true(sgemm_f32(false, false, 1, 2, 1, 1.0f, &one, 1, &one, 2, 0.0f, &one, 1) == Status::invalid_argument,
              "ldc < N refused");
  expect_true(sgemm_f32(false, false, 2, 1, 3, 1.0f, &one, 2, &one, 1, 0.0f, &one, 1) == Status::invalid_argument,
              "lda < K refused");
  expect_true(sgemm_f32(false, true, 1, 2, 3, 1.0f, &one, 3, &one, 2, 0.0f, &one, 2) == Status::invalid_argument,
              "ldb < K (B transposed) refused");
}

#if defined(FALTUNG_HAVE_GUARD_PAGES)
// `count` floats placed so the last one ends exactly at a page boundary followed by an
// inaccessible page: any access past the end faults at once.
class GuardedFloats {
 public:
  explicit GuardedFloats(size_t count) : count_(count) {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t data_pages = (count * sizeof(float) + page_ - 1) / page_ + 1;
    bytes_ = (data_pages + 1) * page_;
    void* base = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    base_ = base == MAP_FAILED ? nullptr : static_cast<char*>(base);
    if (base_ != nullptr) {
      mprotect(base_ + data_pages * page_, page_, PROT_NONE);
      data_ = reinterpret_cast<float*>(base_ + data_pages * page_) - count;
    }
  }
  ~GuardedFloats() {
    if (base_ != nullptr) munmap(base_, bytes_);
  }
  GuardedFloats(const GuardedFloats&) = delete;
  GuardedFloats& operator=(const GuardedFloats&) = delete;
  float* data() { return data_; }
  bool ok() const { return data_ != nullptr; }

 private:
  size_t count_;
  size_t page_ = 4096;
  size_t bytes_ = 0;
  char* base_ = nullptr;
  float* data_ = nullptr;
};

struct MicrokernelUnderTest {
  GemmMicrokernelFn fn;
  size_t mr, nr;
  GemmPackAFn pack_a;
  GemmPackBFn pack_b;
};

MicrokernelUnderTest active_microkernel() {
  switch (active_isa()) {
#if defined(__x86_64__)
    case Isa::avx512: return {gemm_f32_14x32__avx512, 14, 32, gemm_pack_a__avx512, gemm_pack_b__avx512};
    case Isa::avx2: return {gemm_f32_6x16__avx2, 6, 16, gemm_pack_a__scalar, gemm_pack_b__scalar};
#endif
#if defined(__aarch64__)
    case Isa::neon: return {gemm_f32_8x12__neon, 8, 12, gemm_pack_a__scalar, gemm_pack_b__scalar};
#endif
    default: return {gemm_f32_4x8__scalar, 4, 8, gemm_pack_a__scalar, gemm_pack_b__scalar};
  }
}

// Every (mr, nr) of the active microkernel, with A and B as dense as the contract allows (packed A
// with k stride mr, B with k stride nr, C with row stride nr), each ending at a guard page; A also
// in place with a row stride (the direct path's layout).
FALTUNG_TEST(gemm_microkernel_tiles_no_overrun) {
  const MicrokernelUnderTest kernel = active_microkernel();
  Random random(11);
  const size_t kcs[] = {1, 3, 17};
  for (size_t kc : kcs) {
    for (size_t mr = 1; mr <= kernel.mr; ++mr) {
      for (size_t nr = 1; nr <= kernel.nr; ++nr) {
        for (int layout = 0; layout < 2; ++layout) {
          const bool row_major_a = layout == 1;  // A (mr,kc) row-major in place vs packed [kc][mr]
          GuardedFloats a(mr * kc), b(kc * nr), c(mr * nr);
          if (!a.ok() || !b.ok() || !c.ok()) {
            record_failure("mmap failed");
            return;
          }
          for (size_t index = 0; index < mr * kc; ++index) a.data()[index] = random.uniform();
          for (size_t index = 0; index < kc * nr; ++index) b.data()[index] = random.uniform();
          for (size_t index = 0; index < mr * nr; ++index) c.data()[index] = random.uniform();
          std::vector<double> expected(mr * nr);
          const float alpha = 1.5f;
          const float beta = layout == 0 ? 0.5f : 0.0f;
          for (size_t i = 0; i < mr; ++i) {
            for (size_t j = 0; j < nr; ++j) {
              double sum = 0.0;
              for (size_t p = 0; p < kc; ++p) {
                const float av = row_major_a ? a.data()[i * kc + p] : a.data()[p * mr + i];
                sum += static_cast<double>(av) * b.data()[p * nr + j];
              }
              expected[i * nr + j] = alpha * sum + beta * static_cast<double>(c.data()[i * nr + j]);
            }
          }
          if (beta == 0.0f) {
            for (size_t index = 0; index < mr * nr; ++index) c.data()[index] = std::numeric_limits<float>::quiet_NaN();
          }
          kernel.fn(mr, nr, kc, a.data(), row_major_a ? kc : 1, row_major_a ? 1 : mr, b.data(), nr, c.data(), nr,
                    alpha, beta);
          char label[160];
          std::snprintf(label, sizeof label, "%s microkernel mr=%zu nr=%zu kc=%zu %s A", isa_name(active_isa()), mr,
                        nr, kc, row_major_a ? "row-major" : "packed");
          expect_close(c.data(), expected.data(), static_cast<int64_t>(mr * nr), 1e-5, 1e-5, label);
        }
      }
    }
  }
}

// The active ISA's packing routines must match the portable ones exactly, for every row count up
// to 16 and odd k, reading from operands that end at a guard page.
FALTUNG_TEST(gemm_packing_matches_scalar) {
  const MicrokernelUnderTest kernel = active_microkernel();
  Random random(5);
  const size_t kcs[] = {1, 7, 16, 33};
  for (size_t kc : kcs) {
    for (size_t rows = 1; rows <= 16; ++rows) {
      for (int transposed = 0; transposed < 2; ++transposed) {
        // A stored (rows, kc) or (kc, rows), leading dimension = stored width + 1
        const size_t stored_rows = transposed ? kc : rows;
        const size_t stored_cols = transposed ? rows : kc;
        const size_t ld = stored_cols + 1;
        GuardedFloats a((stored_rows - 1) * ld + stored_cols);
        for (size_t index = 0; index < (stored_rows - 1) * ld + stored_cols; ++index) a.data()[index] = random.uniform();
        std::vector<float> expected(rows * kc, -7.0f), actual(rows * kc, -7.0f);
        gemm_pack_a__scalar(transposed != 0, a.data(), ld, rows, kc, expected.data());
        kernel.pack_a(transposed != 0, a.data(), ld, rows, kc, actual.data());
        expect_true(expected == actual, std::string(isa_name(active_isa())) + " pack_a rows=" + std::to_string(rows) +
                                            " kc=" + std::to_string(kc) + " transposed=" + std::to_string(transposed));
      }
    }
    for (size_t cols = 1; cols <= kernel.nr; ++cols) {
      for (int transposed = 0; transposed < 2; ++transposed) {
        const size_t stored_rows = transposed ? cols : kc;
        const size_t stored_cols = transposed ? kc : cols;
        const size_t ld = stored_cols + 2;
        GuardedFloats b((stored_rows - 1) * ld + stored_cols);
        for (size_t index = 0; index < (stored_rows - 1) * ld + stored_cols; ++index) b.data()[index] = random.uniform();
        std::vector<float> expected(kernel.nr * kc, -7.0f), actual(kernel.nr * kc, -7.0f);
        gemm_pack_b__scalar(transposed != 0, b.data(), ld, kc, cols, kernel.nr, expected.data());
        kernel.pack_b(transposed != 0, b.data(), ld, kc, cols, kernel.nr, actual.data());
        expect_true(expected == actual, std::string(isa_name(active_isa())) + " pack_b cols=" + std::to_string(cols) +
                                            " kc=" + std::to_string(kc) + " transposed=" + std::to_string(transposed));
      }
    }
  }
}
#endif  // FALTUNG_HAVE_GUARD_PAGES

}  // namespace
}  // namespace faltung::testing
