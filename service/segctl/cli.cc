#include "service/segctl/cli.h"

#include <algorithm>
#include <cstdio>

#include "core/events/validate.h"

namespace segd::segctl {

namespace {

int usage_error(const CommandSpec& spec, const std::string& message) {
  std::fprintf(stderr, "segctl: %s\nusage: %s\n", message.c_str(), spec.usage.c_str());
  return 2;
}

}  // namespace

std::variant<service::ParsedFlags, int> parse_command(const CommandSpec& spec,
                                                      int argc,
                                                      char** argv) {
  std::vector<service::FlagSpec> flags = spec.flags;
  flags.push_back({"help", "show this help (also -h)", service::FlagSpec::Value::kNo});
  auto parsed = service::parse_flags(flags, argc, argv, 2);
  if (!parsed) {
    return usage_error(spec, parsed.error().message);
  }
  const std::vector<std::string>& positional = parsed->positional;
  const auto options_end =
      positional.begin() + static_cast<std::ptrdiff_t>(parsed->before_terminator);
  if (parsed->has("help") || std::find(positional.begin(), options_end, "-h") != options_end) {
    std::printf("usage: %s\n\n%s\n\nflags:\n%s", spec.usage.c_str(), spec.description.c_str(),
                service::flags_help(flags).c_str());
    return 0;
  }
  // `-x` was taken as an argument (inspect looked up customer "-x"): like an unknown --flag, it
  // is a usage error; an argument that starts with '-' goes after `--`.
  if (const auto dash =
          std::find_if(positional.begin(), options_end,
                       [](const std::string& a) { return a.size() > 1 && a[0] == '-'; });
      dash != options_end) {
    return usage_error(spec, "unknown flag '" + *dash +
                                 "' (flags start with --; put an argument that starts with '-' "
                                 "after --)");
  }
  // A stray argument was silently ignored: `--input a.jsonl b.jsonl` replayed only a.jsonl.
  if (positional.size() > spec.max_positional) {
    return usage_error(spec, "unexpected argument '" + positional[spec.max_positional] + "'");
  }
  return std::move(*parsed);
}

core::Result<core::TimestampMs> parse_event_time_flag(const std::string& flag,
                                                      const std::string& text) {
  auto ts = core::parse_rfc3339(text);
  if (!ts) {
    return core::fail("bad_flag", "--" + flag + ": " + ts.error().message);
  }
  // A time the validator rejects would dead-letter every event made from it.
  if (!core::accepts_event_time(*ts)) {
    return core::fail("bad_flag", "--" + flag + ": must be in " + core::accepted_event_times() +
                                      ", the event times segd accepts, got '" + text + "'");
  }
  return ts;
}

core::Result<std::optional<std::string>> path_flag(const service::ParsedFlags& flags,
                                                   const std::string& name) {
  auto value = flags.get(name);
  if (value && value->empty()) {
    return core::fail("bad_flag", "--" + name + ": must not be empty");
  }
  return value;
}

core::Result<std::string> required_flag(const service::ParsedFlags& flags,
                                        const std::string& name) {
  auto value = path_flag(flags, name);
  if (!value) {
    return std::unexpected(value.error());
  }
  if (!value->has_value()) {
    return core::fail("bad_flag", "--" + name + ": required");
  }
  return **value;
}

core::Result<std::unique_ptr<io::RocksStore>> open_state_dir(const std::string& dir,
                                                             io::OpenMode mode) {
  return io::RocksStore::open(io::StoreConfig{.path = dir, .mode = mode});
}

int report(const core::Error& error, int code) {
  std::fprintf(stderr, "segctl: %s: %s\n", error.code.c_str(), error.message.c_str());
  return code;
}

}  // namespace segd::segctl
