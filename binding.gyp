{
  # CPU-only build with node-gyp, for machines without CMake. The source list is the one
  # CMakeLists.txt uses (native/sources.cjs); CUDA is never built here.
  "targets": [
    {
      "target_name": "fathom",
      "sources": [
        "<!@(node native/sources.cjs core)",
        "<!@(node native/sources.cjs cuda-stub)",
        "<!@(node native/sources.cjs addon)"
      ],
      "include_dirs": [
        "native",
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      # NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS: see CMakeLists.txt (a worker terminated
      # mid native call must not abort the process).
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED",
                  "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fopenmp"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldl"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17"
      }
    }
  ]
}
