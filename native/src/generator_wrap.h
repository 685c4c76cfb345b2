// A seeded libtorch generator owned by a JS object (few of them exist, so ObjectWrap's cost is irrelevant).
#pragma once
#include <napi.h>
#include <torch/torch.h>

namespace hsa {

class GeneratorWrap : public Napi::ObjectWrap<GeneratorWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static bool Is(const Napi::Value& v);
  explicit GeneratorWrap(const Napi::CallbackInfo& info);
  at::Generator generator() const { return gen_; }

 private:
  Napi::Value Seed(const Napi::CallbackInfo& info);
  Napi::Value GetState(const Napi::CallbackInfo& info);
  Napi::Value SetState(const Napi::CallbackInfo& info);
  at::Generator gen_;
};

}  // namespace hsa
