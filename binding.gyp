{
  "targets": [
    {
      "target_name": "hsa_torch",
      "sources": ["native/src/addon.cc", "native/src/convert.cc", "native/src/tensor_table.cc", "native/src/generator_wrap.cc", "native/src/core.cc", "native/src/optim.cc", "native/src/device.cc", "native/src/ops.generated.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "<!@(node native/torch-flags.mjs include)"],
      "libraries": ["<!@(node native/torch-flags.mjs libs)"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-Wno-unused-parameter", "<!@(node native/torch-flags.mjs cflags)"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "defines": ["NAPI_EXPERIMENTAL", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"]
    }
  ]
}
