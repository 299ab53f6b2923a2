#include <array>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/events/text.h"
#include "io/config/rules_loader.h"
#include "io/replay/customer_view.h"
#include "io/replay/model_store.h"
#include "service/segctl/cli.h"
#include "service/segctl/commands.h"
#include "service/segctl/output_file.h"

namespace segd::segctl {
namespace {

// The id in quotes, cut to a length that stays readable in a terminal, its control bytes as \xNN
// (an escape sequence must not reach the terminal).
std::string quoted_id(std::string_view id) {
  constexpr size_t kShown = 256;
  const std::string_view shown = id.size() <= kShown ? id : core::utf8_prefix(id, kShown);
  std::string text = "'";
  for (const char c : shown) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      std::array<char, 5> hex{};
      std::snprintf(hex.data(), hex.size(), "\\x%02x", byte);
      text += hex.data();
    } else {
      text += c;
    }
  }
  text += "'";
  if (shown.size() < id.size()) {
    text += "... (" + std::to_string(id.size()) + " bytes)";
  }
  return text;
}

// Opens the state dir read-only, builds the view and runs `body` on it, which writes to standard
// output.
int with_view(const service::ParsedFlags& flags,
              const std::function<int(io::CustomerView&, std::ostream&)>& body) {
  const auto dir = required_flag(flags, "state-dir");
  if (!dir) {
    return report(dir.error(), 2);
  }
  auto path = path_flag(flags, "rules");
  if (!path) {
    return report(path.error(), 2);
  }
  std::shared_ptr<const core::RuleSet> rules;
  if (*path) {
    auto loaded = io::load_rule_set(**path);
    if (!loaded) {
      return report(loaded.error(), 1);  // As replay's: a file that cannot be used, not usage.
    }
    rules = *loaded;
  }
  auto store = open_state_dir(*dir, io::OpenMode::kReadOnly);
  if (!store) {
    return report(store.error(), 1);
  }
  auto models = io::load_models(**store);
  if (!models) {
    return report(models.error(), 1);
  }
  auto view = io::CustomerView::create(**store, rules, *models);
  if (!view) {
    return report(view.error(), 1);
  }
  const auto out = OutputFile::standard_output();
  const int code = body(*view, out->stream());
  if (auto closed = (*store)->close(); !closed) {
    return report(closed.error(), 1);
  }
  if (auto written = out->close(); !written && code == 0) {
    return report(written.error(), 1);
  }
  return code;
}

const std::vector<service::FlagSpec> kStateFlags = {
    {"state-dir", "RocksDB state directory"},
    {"rules", "segment rules YAML, to explain memberships (optional)"}};

}  // namespace

int inspect_main(int argc, char** argv) {
  const CommandSpec spec{
      "segctl inspect --state-dir DIR [--rules FILE] CUSTOMER_ID",
      "Prints one JSON object: customer_id, features (at the stream time of the\n"
      "customer's partition), segments, scores.",
      kStateFlags, 1};
  auto parsed = parse_command(spec, argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) {
    return *code;
  }
  const auto& flags = std::get<service::ParsedFlags>(parsed);
  if (flags.positional.size() != 1) {
    return report({"bad_flag", "expected exactly one CUSTOMER_ID"}, 2);
  }
  return with_view(flags, [&](io::CustomerView& view, std::ostream& out) {
    auto json = view.inspect(flags.positional[0]);
    if (!json) {
      return report(json.error(), 1);
    }
    if (!json->has_value()) {
      return report({"not_found", "no customer " + quoted_id(flags.positional[0])}, 1);
    }
    out << **json << '\n';
    return 0;
  });
}

int export_main(int argc, char** argv) {
  const CommandSpec spec{"segctl export --state-dir DIR [--rules FILE]",
                         "Prints every customer as JSONL (the inspect object), sorted by "
                         "customer_id.",
                         kStateFlags};
  auto parsed = parse_command(spec, argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) {
    return *code;
  }
  return with_view(
      std::get<service::ParsedFlags>(parsed), [](io::CustomerView& view, std::ostream& out) {
        auto done = view.export_all([&out](const std::string& line) { out << line << '\n'; });
        return done ? 0 : report(done.error(), 1);
      });
}

}  // namespace segd::segctl
