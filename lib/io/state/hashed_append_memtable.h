#pragma once

#include <rocksdb/memtablerep.h>

#include <memory>

namespace segd::io {

/// A memtable for a family written and read by whole keys (customers): an insert appends the
/// entry and makes it its key's newest version in a hash index, where a point read finds it.
/// Order costs nothing until something iterates: a flush merges the sorted runs the inserts came
/// in, once per memtable (a scan of a live one merges a copy), where a skip list searches on
/// every insert.
///
/// Point reads reach the index through RocksDB's default `MemTableRep::Get`, which iterates the
/// rep's dynamic-prefix iterator: here it walks one key's versions. So the family must have no
/// prefix extractor (checked when a memtable is made), which would read through that iterator
/// too. Sorting compares key prefixes (wide_key_prefix()) and sequence numbers before the keys, so
/// the family must be ordered bytewise (the default comparator; also checked). Inserts are
/// serialized (`allow_concurrent_memtable_write = false`); reads may run beside them.
std::shared_ptr<rocksdb::MemTableRepFactory> hashed_append_memtable_factory();

/// The same memtable without the hash index, for a family read by scans only (timers): an insert
/// appends the entry, and a flush or a scan merges the sorted runs. A point read of the family is
/// a programming error and fails a CHECK. Against RocksDB's vector memtable, which also appends,
/// its flush compares 16-byte key prefixes held beside each other instead of calling the
/// comparator on entries scattered in the arena.
std::shared_ptr<rocksdb::MemTableRepFactory> append_memtable_factory();

}  // namespace segd::io
