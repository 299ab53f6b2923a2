#pragma once

#include <string>
#include <string_view>

#include "core/common/result.h"
#include "io/state/rocks_store.h"

namespace segd::io {

/// The two programs that write a state dir. Each keeps its input position its own way (segd per
/// topic partition, `segctl replay` in input lines), so neither may go on from the other's state:
/// it would read its whole input again over it and apply the events a second time.
enum class StateWriter : uint8_t { kSegd, kReplay };

/// Meta key naming the program that writes the state dir (`segd` or `segctl replay`).
inline constexpr std::string_view kWriterMeta = "writer";

/// Claims the state dir of `store` (at `path`, for messages) for `writer`: refused with
/// `other_writer` when the other program wrote it (its kWriterMeta, or for a state dir from before
/// that key, replay's line position or segd's kMembersByPartition mark), else recorded in
/// kWriterMeta. Errors: `other_writer`, `storage_error`.
[[nodiscard]] core::Result<void> claim_state_dir(RocksStore& store,
                                                 const std::string& path,
                                                 StateWriter writer);

}  // namespace segd::io
