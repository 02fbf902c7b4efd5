// Which instruction-set path the kernels take. Chosen once at start-up from CpuFeatures and the
// FALTUNG_ISA environment variable (which may only lower it); tests may switch it at run time to
// exercise every path the machine can run. Kernel groups read active_isa() on each call and
// index their own table of function pointers with it.
#pragma once

namespace faltung {

enum class Isa : int { scalar = 0, neon = 1, avx2 = 2, avx512 = 3 };
constexpr int kIsaCount = 4;

// Best path this CPU + OS supports.
Isa best_supported_isa();
bool isa_supported(Isa isa);
// The path kernels use now.
Isa active_isa();
// Switches the path; returns false (and changes nothing) when the CPU cannot run it.
bool set_active_isa(Isa isa);

const char* isa_name(Isa isa);
// Parses "scalar" | "neon" | "avx2" | "avx512"; returns false for anything else.
bool parse_isa(const char* text, Isa* out);

}  // namespace faltung
