#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace segd::core {

/// An integer with a tag, so that a partition cannot be passed where an offset is expected.
template <typename T, typename Tag>
class StrongInt {
 public:
  constexpr StrongInt() = default;
  constexpr explicit StrongInt(T v) : value_(v) {}
  [[nodiscard]] constexpr T value() const { return value_; }
  constexpr auto operator<=>(const StrongInt&) const = default;

 private:
  T value_{};
};

using PartitionId = StrongInt<int32_t, struct PartitionTag>;
using Offset = StrongInt<int64_t, struct OffsetTag>;

}  // namespace segd::core

template <typename T, typename Tag>
struct std::hash<segd::core::StrongInt<T, Tag>> {
  size_t operator()(const segd::core::StrongInt<T, Tag>& v) const noexcept {
    return std::hash<T>{}(v.value());
  }
};
