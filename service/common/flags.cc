#include "service/common/flags.h"

#include <charconv>

namespace segd::service {

std::optional<std::string> ParsedFlags::get(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) {
    return std::nullopt;
  }
  return it->second.back();
}

std::vector<std::string> ParsedFlags::all(const std::string& name) const {
  auto it = values.find(name);
  return it == values.end() ? std::vector<std::string>{} : it->second;
}

core::Result<ParsedFlags> parse_flags(const std::vector<FlagSpec>& specs,
                                      int argc,
                                      char** argv,
                                      int first) {
  ParsedFlags out;
  bool terminated = false;
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--" && !terminated) {
      terminated = true;
      out.before_terminator = out.positional.size();
      continue;
    }
    if (terminated || arg.size() < 3 || arg.rfind("--", 0) != 0) {
      out.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& s : specs) {
      if (s.name == name) {
        spec = &s;
      }
    }
    if (spec == nullptr) {
      return core::fail("bad_flag", "--" + name + ": unknown flag (see --help)");
    }
    if (out.has(name) && !spec->repeatable) {
      return core::fail("bad_flag", "--" + name + ": given more than once");
    }
    if (spec->takes_value == FlagSpec::Value::kNo) {
      out.values[name].push_back("true");
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argc) {
        return core::fail("bad_flag", "--" + name + ": needs a value");
      }
      inline_value = argv[++i];
    }
    out.values[name].push_back(*inline_value);
  }
  if (!terminated) {
    out.before_terminator = out.positional.size();
  }
  return out;
}

std::string flags_help(const std::vector<FlagSpec>& specs) {
  std::string out;
  for (const FlagSpec& s : specs) {
    std::string head = "  --" + s.name + (s.takes_value == FlagSpec::Value::kYes ? " VALUE" : "");
    head.resize(std::max<size_t>(head.size() + 2, 28), ' ');
    out += head + s.help + "\n";
  }
  return out;
}

core::Result<int64_t> parse_int_flag(const std::string& flag, const std::string& text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return core::fail("bad_flag", "--" + flag + ": not an integer: '" + text + "'");
  }
  return value;
}

core::Result<int64_t> parse_int_flag_in(const std::string& flag,
                                        const std::string& text,
                                        int64_t min,
                                        int64_t max) {
  auto value = parse_int_flag(flag, text);
  if (!value || *value < min || *value > max) {
    return core::fail("bad_flag", "--" + flag + ": must be an integer from " + std::to_string(min) +
                                      " to " + std::to_string(max) + ", got '" + text + "'");
  }
  return value;
}

core::Result<double> parse_double_flag(const std::string& flag, const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (end != text.data() + text.size() ||
      (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    return core::fail("bad_flag", "--" + flag + ": not a number: '" + text + "'");
  }
  if (ec == std::errc::result_out_of_range) {
    return core::fail("bad_flag", "--" + flag + ": out of the range of a double: '" + text + "'");
  }
  return value;
}

}  // namespace segd::service
