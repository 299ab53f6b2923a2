#include "io/config/yaml_document.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <optional>
#include <sstream>

namespace segd::io {
namespace {

// Records where the parser's document starts; the content itself is not needed.
class DocumentStart final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { mark_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnAlias(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnScalar(const YAML::Mark& /*mark*/,
                const std::string& /*tag*/,
                YAML::anchor_t /*anchor*/,
                const std::string& /*value*/) override {}
  void OnSequenceStart(const YAML::Mark& /*mark*/,
                       const std::string& /*tag*/,
                       YAML::anchor_t /*anchor*/,
                       YAML::EmitterStyle::value /*style*/) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& /*mark*/,
                  const std::string& /*tag*/,
                  YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {}
  void OnMapEnd() override {}

  [[nodiscard]] const YAML::Mark& mark() const { return mark_; }

 private:
  YAML::Mark mark_;
};

// The number of documents in `text`. yaml-cpp 0.7 does not consume a token it cannot start a
// document with (a ',' at the start of a line): it yields empty documents at the same place
// forever, so YAML::LoadAll() never returns. A document starting where the last one did is that
// token, reported like any syntax error.
size_t count_documents(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  std::optional<int> last_start;
  size_t count = 0;
  DocumentStart start;
  while (parser.HandleNextDocument(start)) {
    if (last_start == start.mark().pos) {
      throw YAML::ParserException(start.mark(), "unexpected character");
    }
    last_start = start.mark().pos;
    ++count;
  }
  return count;
}

}  // namespace

core::Result<YAML::Node> load_one_document(const std::string& text, std::string_view what) {
  if (const size_t count = count_documents(text); count > 1) {
    return core::fail("yaml_documents", std::string(what) + " has " + std::to_string(count) +
                                            " YAML documents (separated by ---); segd reads one");
  }
  return YAML::Load(text);
}

std::vector<std::string> repeated_keys(const YAML::Node& map) {
  std::vector<std::string> seen;
  std::vector<std::string> repeated;
  if (!map.IsMap()) {
    return repeated;
  }
  for (const auto& pair : map) {
    std::string key = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
    if (std::find(seen.begin(), seen.end(), key) == seen.end()) {
      seen.push_back(std::move(key));
    } else if (std::find(repeated.begin(), repeated.end(), key) == repeated.end()) {
      repeated.push_back(std::move(key));
    }
  }
  return repeated;
}

}  // namespace segd::io
