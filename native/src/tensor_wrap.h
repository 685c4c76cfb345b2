// JS objects that own a libtorch tensor or generator. dispose() frees the native memory at once;
// the GC finalizer frees whatever was not disposed (the safety net).
#pragma once
#include <napi.h>
#include <torch/torch.h>

namespace hsa {

class TensorWrap : public Napi::ObjectWrap<TensorWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Napi::Object New(Napi::Env env, at::Tensor t);
  static bool Is(const Napi::Value& v);
  static TensorWrap* Unwrap(const Napi::Value& v);
  explicit TensorWrap(const Napi::CallbackInfo& info);
  ~TensorWrap() override;
  const at::Tensor& tensor() const;
  bool disposed() const { return !tensor_.defined() && disposed_; }
  static int64_t liveCount();

 private:
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  void release(Napi::Env env);
  at::Tensor tensor_;
  bool disposed_ = false;
  int64_t reportedBytes_ = 0;
  static Napi::FunctionReference* ctor_;
};

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
  static Napi::FunctionReference* ctor_;
};

}  // namespace hsa
