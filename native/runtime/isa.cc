// Run-time ISA selection: a readable ladder, best to worst, plus the FALTUNG_ISA override.
#include "isa.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "cpu_features.h"

namespace faltung {
namespace {

Isa initial_isa() {
  Isa isa = best_supported_isa();
  const char* forced = std::getenv("FALTUNG_ISA");
  Isa requested;
  // The override may only lower the path: asking for more than the CPU has would crash.
  if (forced != nullptr && parse_isa(forced, &requested) && isa_supported(requested)) {
    isa = requested;
  }
  return isa;
}

std::atomic<int>& active_slot() {
  static std::atomic<int> slot{static_cast<int>(initial_isa())};
  return slot;
}

}  // namespace

Isa best_supported_isa() {
  const CpuFeatures& features = cpu_features();
  if (features.avx512) return Isa::avx512;
  if (features.avx2_fma) return Isa::avx2;
  if (features.neon) return Isa::neon;
  return Isa::scalar;
}

bool isa_supported(Isa isa) {
  const CpuFeatures& features = cpu_features();
  switch (isa) {
    case Isa::scalar: return true;
    case Isa::neon: return features.neon;
    case Isa::avx2: return features.avx2_fma;
    case Isa::avx512: return features.avx512;
  }
  return false;
}

// Relaxed is enough: the value selects among kernels that are all correct; no data hangs on it.
Isa active_isa() { return static_cast<Isa>(active_slot().load(std::memory_order_relaxed)); }

bool set_active_isa(Isa isa) {
  if (!isa_supported(isa)) return false;
  active_slot().store(static_cast<int>(isa), std::memory_order_relaxed);
  return true;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::scalar: return "scalar";
    case Isa::neon: return "neon";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
  }
  return "unknown";
}

bool parse_isa(const char* text, Isa* out) {
  static const Isa all[] = {Isa::scalar, Isa::neon, Isa::avx2, Isa::avx512};
  for (Isa isa : all) {
    if (std::strcmp(text, isa_name(isa)) == 0) {
      *out = isa;
      return true;
    }
  }
  return false;
}

}  // namespace faltung
