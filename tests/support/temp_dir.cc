#include "support/temp_dir.h"

#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "core/common/check.h"

namespace segd::test {

TempDir::TempDir(std::string_view prefix) {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / ("segd-" + std::string(prefix) + "-XXXXXX"))
          .string();
  CHECK(mkdtemp(tmpl.data()) != nullptr);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::file(std::string_view name) const { return (path_ / name).string(); }

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

core::Result<void> write_text(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out.flush()) {
    return core::fail("write", "cannot write " + path);
  }
  return {};
}

}  // namespace segd::test
