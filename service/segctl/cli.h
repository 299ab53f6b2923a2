#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/common/time.h"
#include "io/state/rocks_store.h"
#include "service/common/flags.h"

namespace segd::segctl {

/// A subcommand's help text and flags.
struct CommandSpec {
  std::string usage;        ///< e.g. "segctl inspect --state-dir DIR CUSTOMER_ID"
  std::string description;  ///< One paragraph.
  std::vector<service::FlagSpec> flags;
  size_t max_positional = 0;  ///< Arguments other than flags it takes; more is a usage error.
};

/// Parses argv[2..] (plus --help and -h). Returns the flags, or the exit code to return right
/// away: 0 after printing the help, 2 after a usage error (printed to stderr), such as more than
/// `max_positional` arguments that are not flags ("unexpected argument 'X'").
[[nodiscard]] std::variant<service::ParsedFlags, int> parse_command(const CommandSpec& spec,
                                                                    int argc,
                                                                    char** argv);

/// Parses an RFC 3339 flag value that must be an event time segd accepts (the range of
/// core::validate_event()). Errors (code `bad_flag`) name the flag: "--FLAG: not an RFC 3339
/// time: TEXT", "--FLAG: must be in [1970-01-01T00:00:00Z, 2200-01-01T00:00:00Z), the event
/// times segd accepts, got 'TEXT'".
[[nodiscard]] core::Result<core::TimestampMs> parse_event_time_flag(const std::string& flag,
                                                                    const std::string& text);

/// The value of a flag that names a file, nullopt when the flag is not given. Errors (code
/// `bad_flag`): "--NAME: must not be empty", since an empty path would read as leaving the flag
/// out (replay's `--rules ""` as no segments).
[[nodiscard]] core::Result<std::optional<std::string>> path_flag(const service::ParsedFlags& flags,
                                                                 const std::string& name);
/// The value of a flag that must be given, and not empty (a path, as path_flag(), or a list of
/// brokers, a topic). Errors (code `bad_flag`): "--NAME: required", and path_flag's.
[[nodiscard]] core::Result<std::string> required_flag(const service::ParsedFlags& flags,
                                                      const std::string& name);

/// Opens an existing segd state dir for inspect, export (io::OpenMode::kReadOnly) and fit
/// (kExisting), which must not create one where there was none, nor add anything to another
/// program's database. Errors: those of RocksStore::open(): `not_found` ("state dir not found:
/// DIR", or no database in it), `state_dir_incomplete` (its creation was cut short),
/// `not_a_state_dir`, `state_dir_busy`, `storage_error`.
[[nodiscard]] core::Result<std::unique_ptr<io::RocksStore>> open_state_dir(const std::string& dir,
                                                                           io::OpenMode mode);

/// Prints `segctl: <message>` to stderr and returns `code`.
int report(const core::Error& error, int code);

}  // namespace segd::segctl
