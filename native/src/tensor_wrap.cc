#include "tensor_wrap.h"

#include <atomic>

#include "convert.h"

namespace hsa {

Napi::FunctionReference* TensorWrap::ctor_ = nullptr;
Napi::FunctionReference* GeneratorWrap::ctor_ = nullptr;
static std::atomic<int64_t> live{0};

void TensorWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function f = DefineClass(env, "NativeTensor",
                                 {InstanceMethod("dispose", &TensorWrap::Dispose),
                                  InstanceMethod("isDisposed", &TensorWrap::IsDisposed)});
  ctor_ = new Napi::FunctionReference(Napi::Persistent(f));
  exports.Set("NativeTensor", f);
}

Napi::Object TensorWrap::New(Napi::Env env, at::Tensor t) {
  auto* holder = new at::Tensor(std::move(t));
  Napi::External<at::Tensor> ext = Napi::External<at::Tensor>::New(env, holder);
  Napi::Object obj = ctor_->New({ext});
  return obj;
}

bool TensorWrap::Is(const Napi::Value& v) {
  return v.IsObject() && v.As<Napi::Object>().InstanceOf(ctor_->Value());
}

TensorWrap* TensorWrap::Unwrap(const Napi::Value& v) {
  TensorWrap* w = Napi::ObjectWrap<TensorWrap>::Unwrap(v.As<Napi::Object>());
  if (w->disposed_) throw Napi::Error::New(v.Env(), "tensor used after dispose()");
  return w;
}

TensorWrap::TensorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorWrap>(info) {
  if (info.Length() != 1 || !info[0].IsExternal()) {
    throw Napi::TypeError::New(info.Env(), "NativeTensor cannot be constructed from JS");
  }
  at::Tensor* holder = info[0].As<Napi::External<at::Tensor>>().Data();
  tensor_ = std::move(*holder);
  delete holder;
  ++live;
  // Tell V8 about the native bytes so that garbage collection runs when undisposed tensors pile up.
  if (tensor_.defined() && tensor_.device().is_cpu()) {
    reportedBytes_ = static_cast<int64_t>(tensor_.nbytes());
    Napi::MemoryManagement::AdjustExternalMemory(info.Env(), reportedBytes_);
  }
}

TensorWrap::~TensorWrap() {
  if (!disposed_) --live;
  // The finalizer may not call into JS; the external-memory count is only a hint, so it is left as is.
}

void TensorWrap::release(Napi::Env env) {
  if (disposed_) return;
  disposed_ = true;
  tensor_ = at::Tensor();
  --live;
  if (reportedBytes_) Napi::MemoryManagement::AdjustExternalMemory(env, -reportedBytes_);
  reportedBytes_ = 0;
}

const at::Tensor& TensorWrap::tensor() const { return tensor_; }

int64_t TensorWrap::liveCount() { return live.load(); }

Napi::Value TensorWrap::Dispose(const Napi::CallbackInfo& info) {
  release(info.Env());
  return info.Env().Undefined();
}

Napi::Value TensorWrap::IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), disposed_);
}

void GeneratorWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function f = DefineClass(env, "NativeGenerator",
                                 {InstanceMethod("seed", &GeneratorWrap::Seed),
                                  InstanceMethod("getState", &GeneratorWrap::GetState),
                                  InstanceMethod("setState", &GeneratorWrap::SetState)});
  ctor_ = new Napi::FunctionReference(Napi::Persistent(f));
  exports.Set("NativeGenerator", f);
}

bool GeneratorWrap::Is(const Napi::Value& v) {
  return v.IsObject() && v.As<Napi::Object>().InstanceOf(ctor_->Value());
}

// new NativeGenerator(seed): a CPU generator (Philox for CUDA is not needed: sampling is done on CPU
// generators and moved, so that results do not depend on the device).
GeneratorWrap::GeneratorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GeneratorWrap>(info) {
  guard(info, [&]() -> Napi::Value {
    Args a(info, "Generator", 1);
    gen_ = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(a.integer(0, "seed")));
    return info.Env().Undefined();
  });
}

Napi::Value GeneratorWrap::Seed(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "Generator.seed", 1);
    std::lock_guard<std::mutex> lock(gen_.mutex());
    gen_.set_current_seed(static_cast<uint64_t>(a.integer(0, "seed")));
    return info.Env().Undefined();
  });
}

Napi::Value GeneratorWrap::GetState(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    std::lock_guard<std::mutex> lock(gen_.mutex());
    return toJs(info.Env(), gen_.get_state());
  });
}

Napi::Value GeneratorWrap::SetState(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "Generator.setState", 1);
    at::Tensor s = a.tensor(0, "state");
    std::lock_guard<std::mutex> lock(gen_.mutex());
    gen_.set_state(s);
    return info.Env().Undefined();
  });
}

}  // namespace hsa
