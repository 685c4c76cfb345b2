// Tensors live in a native table and JS holds plain-number handles to them. A JS object per tensor
// (ObjectWrap) costs a Node-API reference that was measured to leak ~220 bytes per tensor here; numbers
// cost nothing. A handle carries a generation so that a stale handle (used after dispose) is detected.
#pragma once
#include <napi.h>
#include <torch/torch.h>

#include <vector>

namespace hsa {

class TensorTable {
 public:
  static double add(at::Tensor t);
  // The tensor behind a handle; throws if the handle is stale or was never issued.
  static const at::Tensor& get(Napi::Env env, double handle);
  static bool isHandle(const Napi::Value& v);
  // Frees the tensor; false if it was already released.
  static bool release(double handle);
  static bool alive(double handle);
  static int64_t live();

 private:
  struct Slot {
    at::Tensor tensor;
    uint32_t generation = 1;
    bool used = false;
  };
  static Slot* find(double handle);
  static std::vector<Slot> slots_;
  static std::vector<uint32_t> free_;
  static int64_t live_;
};

void registerTable(Napi::Env env, Napi::Object exports);

}  // namespace hsa
