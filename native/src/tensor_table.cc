#include "tensor_table.h"

#include <cmath>

#include "addon_data.h"
#include "convert.h"

namespace hsa {

namespace {
// handle = generation * 2^26 + slot: exact in a double while generation < 2^27.
constexpr double kSlots = 67108864.0;  // 2^26
constexpr uint32_t kMaxGeneration = 1u << 27;
}  // namespace

double TensorTable::add(at::Tensor t) {
  uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    if (slots_.size() >= static_cast<size_t>(kSlots)) throw std::runtime_error("too many live tensors (2^26)");
    index = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[index];
  s.tensor = std::move(t);
  s.used = true;
  ++live_;
  return static_cast<double>(s.generation) * kSlots + index;
}

TensorTable::Slot* TensorTable::find(double handle) {
  if (!(handle >= 0) || handle != std::floor(handle)) return nullptr;
  double gen = std::floor(handle / kSlots);
  double index = handle - gen * kSlots;
  if (index >= static_cast<double>(slots_.size())) return nullptr;
  Slot& s = slots_[static_cast<size_t>(index)];
  if (!s.used || static_cast<double>(s.generation) != gen) return nullptr;
  return &s;
}

const at::Tensor& TensorTable::get(Napi::Env env, double handle) {
  Slot* s = find(handle);
  if (s == nullptr) throw Napi::Error::New(env, "tensor used after dispose() (or not a tensor handle)");
  return s->tensor;
}

bool TensorTable::release(double handle) {
  Slot* s = find(handle);
  if (s == nullptr) return false;
  s->tensor = at::Tensor();
  s->used = false;
  s->generation = s->generation + 1 >= kMaxGeneration ? 1 : s->generation + 1;
  free_.push_back(static_cast<uint32_t>(s - slots_.data()));
  --live_;
  return true;
}

bool TensorTable::alive(double handle) { return find(handle) != nullptr; }

namespace {

Napi::Value Release(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "release", 1);
    return Napi::Boolean::New(info.Env(), tensorTable(info.Env()).release(a.number(0, "handle")));
  });
}

Napi::Value Alive(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "isAlive", 1);
    return Napi::Boolean::New(info.Env(), tensorTable(info.Env()).alive(a.number(0, "handle")));
  });
}

Napi::Value Live(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(tensorTable(info.Env()).live())); }

}  // namespace

void registerTable(Napi::Env env, Napi::Object exports) {
  exports.Set("release", Napi::Function::New(env, Release, "release"));
  exports.Set("isAlive", Napi::Function::New(env, Alive, "isAlive"));
  exports.Set("liveTensors", Napi::Function::New(env, Live, "liveTensors"));
}

}  // namespace hsa
