#pragma once
// Small helpers shared by the pipeline's translation units (not part of its interface).

#include <chrono>
#include <cstdint>
#include <string>

namespace segd::io::detail {

/// `<topic>/<partition>`: the name of an input position in the offsets family.
inline std::string source_name(const std::string& topic, int32_t partition) {
  return topic + "/" + std::to_string(partition);
}

inline double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace segd::io::detail
