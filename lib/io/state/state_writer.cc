#include "io/state/state_writer.h"

#include <optional>

namespace segd::io {
namespace {

constexpr std::string_view kSegdName = "segd";
constexpr std::string_view kReplayName = "segctl replay";
// Where segctl replay keeps its position: pos/replay.
constexpr std::string_view kReplaySource = "replay";

std::string_view name_of(StateWriter writer) {
  return writer == StateWriter::kSegd ? kSegdName : kReplayName;
}

// Who wrote a state dir from before kWriterMeta, by each program's own traces.
core::Result<std::optional<std::string>> traced_writer(RocksStore& store) {
  auto lines = store.position(kReplaySource);
  if (!lines) {
    return std::unexpected(lines.error());
  }
  if (lines->has_value()) {
    return std::string(kReplayName);
  }
  auto members = store.get_meta(kMembersByPartition);
  if (!members) {
    return std::unexpected(members.error());
  }
  return members->has_value() ? std::optional<std::string>(kSegdName) : std::nullopt;
}

}  // namespace

core::Result<void> claim_state_dir(RocksStore& store, const std::string& path, StateWriter writer) {
  auto named = store.get_meta(kWriterMeta);
  if (!named) {
    return std::unexpected(named.error());
  }
  auto recorded = named->has_value() ? named : traced_writer(store);
  if (!recorded) {
    return std::unexpected(recorded.error());
  }
  const std::string_view mine = name_of(writer);
  if (!recorded->has_value() || **recorded == mine) {
    return named->has_value() ? core::Result<void>{} : store.put_meta(kWriterMeta, mine);
  }
  const std::string how =
      writer == StateWriter::kSegd
          ? "segd keeps its position per topic partition, and would read every input topic from "
            "its beginning over this state, applying the events a second time; give segd a state "
            "dir of its own"
          : "segctl replay keeps its position in input lines, and would replay its input from "
            "the first line over this state, applying the events a second time; replay into a "
            "state dir of its own";
  return core::fail("other_writer",
                    "state dir " + path + " was written by " + **recorded + ": " + how);
}

}  // namespace segd::io
