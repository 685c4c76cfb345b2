// Small helpers the generated op glue uses in its C++ expressions.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

namespace hsa {

inline at::OptionalIntArrayRef optArr(const c10::optional<std::vector<int64_t>>& v) {
  if (!v) return c10::nullopt;
  return at::IntArrayRef(*v);
}

inline at::TensorOptions opts(at::ScalarType dtype, at::Device device) {
  return at::TensorOptions().dtype(dtype).device(device);
}

inline int64_t reductionOf(const std::string& r) {
  if (r == "none") return at::Reduction::None;
  if (r == "mean") return at::Reduction::Mean;
  if (r == "sum") return at::Reduction::Sum;
  throw std::invalid_argument("reduction must be 'none', 'mean' or 'sum', got '" + r + "'");
}

}  // namespace hsa
