#include "io/config/yaml_document.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <optional>
#include <sstream>

namespace segd::io {
namespace {

// Records where the parser's document starts and where its last scalar does; the content
// itself is not needed.
class DocumentScan final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { start_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnAlias(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnScalar(const YAML::Mark& mark,
                const std::string& /*tag*/,
                YAML::anchor_t /*anchor*/,
                const std::string& /*value*/) override {
    last_scalar_ = mark;
  }
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

  [[nodiscard]] const YAML::Mark& start() const { return start_; }
  [[nodiscard]] const std::optional<YAML::Mark>& last_scalar() const { return last_scalar_; }

 private:
  YAML::Mark start_ = YAML::Mark::null_mark();
  std::optional<YAML::Mark> last_scalar_;
};

// What one pass of the parser over the text saw.
struct Scanned {
  size_t documents = 0;
  std::optional<YAML::Mark> last_scalar;
};

// Counts the documents in `text`. yaml-cpp 0.7 does not consume a token it cannot start a
// document with (a ',' at the start of a line): it yields empty documents at the same place
// forever, so YAML::LoadAll() never returns. A document starting where the last one did is that
// token, reported like any syntax error.
Scanned scan_documents(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  std::optional<int> last_start;
  Scanned scanned;
  DocumentScan scan;
  while (parser.HandleNextDocument(scan)) {
    if (last_start == scan.start().pos) {
      throw YAML::ParserException(scan.start(), "unexpected character");
    }
    last_start = scan.start().pos;
    ++scanned.documents;
  }
  scanned.last_scalar = scan.last_scalar();
  return scanned;
}

// The 0-based line and column of byte `pos` of `text`, counted from `from`.
YAML::Mark mark_at(const std::string& text, size_t from, size_t pos) {
  YAML::Mark mark = YAML::Mark::null_mark();
  mark.pos = static_cast<int>(pos);
  mark.line = 0;
  mark.column = 0;
  for (size_t i = from; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++mark.line;
      mark.column = 0;
    } else {
      ++mark.column;
    }
  }
  return mark;
}

// Where a node's content starts: past its tag (`!!str`), anchor (`&a`), blanks and comments.
size_t skip_node_properties(const std::string& text, size_t at) {
  while (at < text.size()) {
    const char ch = text[at];
    if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
      ++at;
    } else if (ch == '#') {
      at = text.find('\n', at);
    } else if (ch == '!' || ch == '&') {
      at = text.find_first_of(" \t\r\n", at);
    } else {
      break;
    }
  }
  return std::min(at, text.size());
}

// Whether the quoted scalar opening at `open` is closed: `\"` (and `\\`) do not close a
// double-quoted one, `''` does not close a single-quoted one.
bool closed_quote(const std::string& text, size_t open) {
  const char quote = text[open];
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;
      } else {
        return true;
      }
    }
  }
  return false;
}

// yaml-cpp ends a quoted scalar that lacks its closing quote at the end of the input, and takes
// the rest of the file for its value. Such a scalar is the last one of the stream, so only that
// one is read again in `text`, from its mark (yaml-cpp's positions leave out a UTF-8 BOM).
void check_last_quote(const std::string& text, const YAML::Mark& last_scalar) {
  const size_t from = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  const size_t open = skip_node_properties(text, from + static_cast<size_t>(last_scalar.pos));
  if (open >= text.size() || (text[open] != '"' && text[open] != '\'') ||
      closed_quote(text, open)) {
    return;
  }
  const YAML::Mark start = mark_at(text, from, open);
  throw YAML::ParserException(mark_at(text, from, text.size()),
                              "unterminated quoted string starting at line " +
                                  std::to_string(start.line + 1) + ", column " +
                                  std::to_string(start.column + 1));
}

}  // namespace

core::Result<YAML::Node> load_one_document(const std::string& text, std::string_view what) {
  const Scanned scanned = scan_documents(text);
  if (scanned.documents > 1) {
    return core::fail("yaml_documents", std::string(what) + " has " +
                                            std::to_string(scanned.documents) +
                                            " YAML documents (separated by ---); segd reads one");
  }
  if (scanned.last_scalar) {
    check_last_quote(text, *scanned.last_scalar);
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
