#pragma once

#include <cstddef>
#include <cstdint>

/// CRC-32C (Castagnoli, as iSCSI and RocksDB use it) for RocksDB's write-ahead log.
///
/// Debian's RocksDB is built portable, without SSE4.2, so its `rocksdb::crc32c::Extend` runs a
/// table-driven loop (1.2 GB/s here) over every byte written to the WAL: 2.5% of a pinned replay.
/// On x86-64 the link redirects RocksDB's calls of it to crc32c_extend() (`--wrap`, see
/// lib/io/CMakeLists.txt), which uses the CPU's CRC32 instruction where it has one (8.5 GB/s). The
/// values are the same bits: nothing on disk changes, and a state dir moves freely between
/// builds with and without it.
namespace segd::io {

/// The CRC-32C of the bytes that `crc` was the CRC of, followed by data[0, n): crc32c_extend(0,
/// ...) of a whole is crc32c_extend() of its tail continuing its head's. RocksDB's Extend()
/// semantics. Pure, thread-safe.
[[nodiscard]] uint32_t crc32c_extend(uint32_t crc, const char* data, size_t n);

/// The same, always by the portable table-driven path (for tests of the fast one).
[[nodiscard]] uint32_t crc32c_extend_portable(uint32_t crc, const char* data, size_t n);

/// Whether crc32c_extend() runs on the CPU's CRC32 instruction.
[[nodiscard]] bool crc32c_uses_cpu_instruction();

}  // namespace segd::io
