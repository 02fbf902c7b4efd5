// sgemm(c, a, b, M, N, K, transposeA, transposeB, alpha, beta, async): dense row-major matrices,
// leading dimensions implied by the shapes. Every length is checked against its dimensions here
// (the kernel trusts them); deliberately no strided views or aliasing checks (outputs are fresh).
#include "../kernels/gemm.h"
#include "args.h"
#include "groups.h"
#include "job.h"

namespace faltung::binding {
namespace {

struct GemmJob {
  float* c;
  const float* a;
  const float* b;
  int64_t M, N, K;
  bool transpose_a, transpose_b;
  float alpha, beta;

  Status run() const {
    const int64_t lda = transpose_a ? M : K;
    const int64_t ldb = transpose_b ? K : N;
    return sgemm_f32(transpose_a, transpose_b, M, N, K, alpha, a, lda, b, ldb, beta, c, N);
  }
};

Napi::Value sgemm_binding(const Napi::CallbackInfo& info) {
  Args args(info, "sgemm", 11);
  GemmJob job{};
  job.M = args.integer(3, "M", 0, kMaxElements);
  job.N = args.integer(4, "N", 0, kMaxElements);
  job.K = args.integer(5, "K", 0, kMaxElements);
  job.c = args.f32(0, "c", checked_product(args, "c (M*N)", {job.M, job.N}));
  job.a = args.f32(1, "a", checked_product(args, "a (M*K)", {job.M, job.K}));
  job.b = args.f32(2, "b", checked_product(args, "b (K*N)", {job.K, job.N}));
  job.transpose_a = args.boolean(6, "transposeA");
  job.transpose_b = args.boolean(7, "transposeB");
  job.alpha = static_cast<float>(args.number(8, "alpha"));
  job.beta = static_cast<float>(args.number(9, "beta"));
  return run_job(args, job, args.boolean(10, "async"));
}

}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) {
  exports.Set("sgemm", Napi::Function::New(env, sgemm_binding, "sgemm"));
}

}  // namespace faltung::binding
