#pragma once

#include <istream>
#include <string>

namespace segd::core {

/// Reads the next line of a text of lines (JSONL events): up to '\n', without it and without one
/// '\r' before it, so a file with Windows line endings reads as the same lines.
inline bool read_text_line(std::istream& in, std::string& line) {
  if (!std::getline(in, line)) {
    return false;
  }
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return true;
}

}  // namespace segd::core
