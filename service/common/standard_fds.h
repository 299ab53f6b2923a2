#pragma once

namespace segd::service {

/// Gives each closed standard descriptor (0, 1, 2) a read-only /dev/null, so that the next file
/// opened (RocksDB's LOG, an output file) cannot take its number: output meant for a closed
/// standard output then fails to write (an error and exit 1) instead of landing in that file.
/// Call first in main().
void hold_closed_standard_fds();

}  // namespace segd::service
