// Tensors live in a native table and JS holds plain-number handles to them. A JS object per tensor
// (ObjectWrap) costs a Node-API reference that was measured to leak ~220 bytes per tensor here; numbers
// cost nothing. A handle carries a generation so that a stale handle (used after dispose) is detected.
// Each JS environment (main thread, every worker thread) has its own table: see addon_data.h.
#pragma once
#include <napi.h>
#include <torch/torch.h>

#include <vector>

namespace hsa {

class TensorTable {
 public:
  double add(at::Tensor t);
  // The tensor behind a handle; throws if the handle is stale or was never issued.
  const at::Tensor& get(Napi::Env env, double handle);
  // Frees the tensor; false if it was already released.
  bool release(double handle);
  bool alive(double handle);
  int64_t live() const { return live_; }

 private:
  struct Slot {
    at::Tensor tensor;
    uint32_t generation = 1;
    bool used = false;
  };
  Slot* find(double handle);
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  int64_t live_ = 0;
};

void registerTable(Napi::Env env, Napi::Object exports);

}  // namespace hsa
