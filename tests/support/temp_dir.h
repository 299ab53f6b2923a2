#pragma once
// A temporary directory and whole-file helpers for tests that run programs on real files.

#include <filesystem>
#include <string>
#include <string_view>

#include "core/common/result.h"

namespace segd::test {

/// A fresh directory under the system temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  /// Creates `<tmp>/segd-<prefix>-XXXXXX`. CHECK-fails when the directory cannot be created.
  explicit TempDir(std::string_view prefix);
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  /// `path() / name` as a string.
  [[nodiscard]] std::string file(std::string_view name) const;

 private:
  std::filesystem::path path_;
};

/// Whole file as a string; empty when it cannot be read.
[[nodiscard]] std::string read_text(const std::string& path);
/// Writes `text` to `path`, replacing it. Errors: `write`.
[[nodiscard]] core::Result<void> write_text(const std::string& path, std::string_view text);

}  // namespace segd::test
