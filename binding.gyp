# node-gyp build of the addon. Sources come from native/sources.js, shared with CMakeLists.txt.
# Each ISA is a static library with its own flags; the addon links them all and picks at run
# time, so the shipped binary never assumes more than the baseline of its architecture.
{
  "target_defaults": {
    "default_configuration": "Release",
    "configurations": {"Release": {"defines": ["NDEBUG"]}, "Debug": {"defines": ["DEBUG"]}},
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED",
                "FALTUNG_BUILD_SYSTEM=\"node-gyp\""],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
    "cflags": ["-fPIC"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "-fno-math-errno", "-fno-trapping-math"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "OTHER_CPLUSPLUSFLAGS": ["-O3", "-fno-math-errno", "-fno-trapping-math"]
    },
    "msvs_settings": {"VCCLCompilerTool": {"ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"]}}
  },
  "targets": [
    {
      "target_name": "faltung",
      "sources": ["<!@(node native/sources.js core)", "<!@(node native/sources.js binding)"],
      "conditions": [
        ["target_arch=='x64'", {"dependencies": ["faltung_avx2", "faltung_avx512"]}],
        ["target_arch=='arm64'", {"sources": ["<!@(node native/sources.js neon)"]}]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "faltung_avx2",
          "type": "static_library",
          "sources": ["<!@(node native/sources.js avx2)"],
          "cflags_cc": ["-mavx2", "-mfma", "-mf16c"],
          "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-mfma", "-mf16c"]},
          "msvs_settings": {"VCCLCompilerTool": {"AdditionalOptions": ["/arch:AVX2"]}}
        },
        {
          "target_name": "faltung_avx512",
          "type": "static_library",
          "sources": ["<!@(node native/sources.js avx512)"],
          "cflags_cc": ["-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx2", "-mfma", "-mf16c"],
          "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx2", "-mfma", "-mf16c"]},
          "msvs_settings": {"VCCLCompilerTool": {"AdditionalOptions": ["/arch:AVX512"]}}
        }
      ]
    }]
  ]
}
