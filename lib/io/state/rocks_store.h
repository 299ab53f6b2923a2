#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "core/common/strong_int.h"
#include "core/engine/state_store.h"
#include "io/state/fresh_customers.h"
#include "io/state/state_dir.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Iterator;
class Statistics;
}  // namespace rocksdb

namespace segd::io {

/// How commits reach the disk.
enum class Durability : uint8_t {
  /// WAL written on every commit but not fsynced: survives a process crash (kill -9); an OS crash
  /// or power loss may drop the last commits, which are then re-consumed from Kafka because their
  /// input offsets were in the same batch.
  kWalNoSync,
  /// WAL fsynced on every commit: survives power loss, at a large cost per commit.
  kWalSync,
};

/// Configuration of the RocksDB store.
struct StoreConfig {
  std::string path;                                ///< Database directory (created if missing).
  size_t block_cache_bytes = size_t{64} << 20;     ///< Default: 64 MiB, shared by all families.
  size_t write_buffer_bytes = size_t{16} << 20;    ///< Default: 16 MiB memtable for `customers`.
  Durability durability = Durability::kWalNoSync;  ///< Default: WAL on, no fsync per commit.
  OpenMode mode = OpenMode::kCreate;               ///< Default: open or create a state dir.
  /// Opened writable on an empty `customers` family, the store answers reads of the customers
  /// it has not written since without a RocksDB lookup, for up to this many written customers
  /// (FreshCustomers: 8-byte hashes, about 18 MiB at 1M); 0: never. Default: 1M.
  size_t fresh_customers_capacity = 1'000'000;
};

/// One pending outgoing SegmentChange.
struct OutboxRecord {
  uint64_t seq = 0;
  core::SegmentChange change;

  bool operator==(const OutboxRecord&) const = default;
};

/// Figures for the metrics exporter.
struct StoreStats {
  uint64_t live_data_bytes = 0;           ///< Estimated live SST data, all families.
  uint64_t memtable_bytes = 0;            ///< All memtables, all families.
  uint64_t pending_compaction_bytes = 0;  ///< Estimated bytes compaction still has to rewrite.
  double block_cache_hit_ratio = 0.0;     ///< Hits / (hits + misses) since open; 0 without reads.
  uint64_t customers_estimate = 0;        ///< Estimated keys in `customers`.
  uint64_t wal_syncs = 0;                 ///< WAL fsyncs since open.

  bool operator==(const StoreStats&) const = default;
};

/// Small metadata entries written together with a batch (e.g. the replay output length).
using MetaEntries = std::span<const std::pair<std::string, std::string>>;

/// Meta key of the number of input partitions the stored state is split by (decimal), written
/// by the daemon and by `segctl replay`.
inline constexpr std::string_view kPartitionsMeta = "partitions";
/// Meta key marking that segment member counts are kept per partition (segd's, set at its start).
inline constexpr std::string_view kMembersByPartition = "members_by_partition";

/// How much of each customer state a scan decodes.
enum class CustomerFields : uint8_t {
  kAll,
  /// The scalar fields only; the lists stay empty (see decode_customer_scalars): what a model
  /// refit reads.
  kScalars,
};

/// Every stored customer as of the moment RocksStore::scan_customers() was called (later commits
/// do not show). Movable to another thread; one thread at a time. Must not outlive its store.
class CustomerScan {
 public:
  CustomerScan(CustomerScan&&) noexcept;
  CustomerScan& operator=(CustomerScan&&) noexcept;
  ~CustomerScan();

  /// Calls `fn` for every customer in customer_id byte order. Stops at and returns the first
  /// error from `fn` or from decoding. Once only.
  [[nodiscard]] core::Result<void> for_each(
      const std::function<core::Result<void>(const core::CustomerState&)>& fn);

 private:
  friend class RocksStore;
  CustomerScan(std::unique_ptr<rocksdb::Iterator> it, CustomerFields fields);
  std::unique_ptr<rocksdb::Iterator> it_;
  CustomerFields fields_;
};

/// The persisted state of segd in RocksDB: column families `customers`, `timers`, `offsets`,
/// `outbox` and `models` (layouts in STORAGE.md). Every method may block on disk I/O, so call
/// them off any event loop. All methods are thread-safe except close(), which must not run
/// concurrently with anything else. Errors: code `storage_error` (message carries the RocksDB
/// status) or `corrupt_state` (a stored value does not decode).
class RocksStore final : public core::StateReader {
 public:
  /// Opens the state dir at `config.path` as `config.mode` says (see OpenMode): a fresh one is
  /// marked (mark_state_dir()), then created with all column families, and a marked one whose
  /// creation was cut short is finished; a directory that is not a segd state dir is refused
  /// before anything is opened (see check_state_dir()). A read-only store's writes fail with
  /// `storage_error`. Errors: those of check_state_dir(), mark_state_dir() (kCreate) and
  /// SharedDbLock::acquire() (kReadOnly), `storage_error` from RocksDB.
  [[nodiscard]] static core::Result<std::unique_ptr<RocksStore>> open(const StoreConfig& config);

  RocksStore(const RocksStore&) = delete;
  RocksStore& operator=(const RocksStore&) = delete;
  /// Calls close() if it was not called, logging a failure to stderr.
  ~RocksStore() override;

  /// The stored state of a customer, nullopt when unknown.
  [[nodiscard]] core::Result<std::optional<core::CustomerState>> get_customer(
      std::string_view id) override;
  /// Batched point lookups (one RocksDB MultiGet); result i belongs to ids[i].
  [[nodiscard]] core::Result<std::vector<std::optional<core::CustomerState>>> multi_get_customers(
      std::span<const std::string> ids);

  /// Writes the whole delta and `meta` in ONE atomic WriteBatch. Outbox records get consecutive
  /// sequence numbers from a counter persisted in the same batch. Within the batch, customer
  /// puts come before deletes (an erasure wins) and timer deletes before puts (a rescheduled
  /// timer survives). Returns the first sequence number used (the next free one when the outbox
  /// is empty).
  [[nodiscard]] core::Result<uint64_t> commit(const core::BatchDelta& delta, MetaEntries meta = {});
  /// The same for several partitions' deltas in one WriteBatch, as if they were one delta with
  /// each list the concatenation of the parts' lists in order (outbox records are numbered in
  /// that order).
  [[nodiscard]] core::Result<uint64_t> commit(std::span<const core::BatchDelta> parts,
                                              MetaEntries meta = {});

  /// The timers of `partition`, sorted by (due_ms, customer_id).
  [[nodiscard]] core::Result<std::vector<core::Timer>> load_timers(core::PartitionId partition);
  /// The stored stream time of `partition`, nullopt when none was committed.
  [[nodiscard]] core::Result<std::optional<int64_t>> stream_time(core::PartitionId partition);
  /// What a PartitionProcessor for `partition` starts from: the stored stream time, erasure
  /// count and timers (zeros and none for a partition never committed).
  [[nodiscard]] core::Result<core::PartitionRestore> partition_restore(core::PartitionId partition);
  /// The stored next offset of `source`, nullopt when none was committed. Errors:
  /// `corrupt_state` when it is negative.
  [[nodiscard]] core::Result<std::optional<int64_t>> position(std::string_view source);

  /// Up to `max` outbox records with seq >= `from_seq`, in sequence order.
  [[nodiscard]] core::Result<std::vector<OutboxRecord>> pending_outbox(size_t max,
                                                                       uint64_t from_seq = 0);
  /// How many outbox records were committed at or above `confirmed_below` (or the lowest record
  /// known to exist, when that is higher): those a drainer that has seen every record below
  /// `confirmed_below` delivered still has to publish. Takes no lock; thread-safe.
  [[nodiscard]] uint64_t outbox_records_from(uint64_t confirmed_below) const;
  /// Deletes the outbox records with `from` <= seq < `to` (delivered ones), with one range
  /// tombstone whatever their number. No-op when `to` <= `from`.
  [[nodiscard]] core::Result<void> delete_outbox_range(uint64_t from, uint64_t to);

  /// Small metadata in `offsets`, outside a commit.
  [[nodiscard]] core::Result<void> put_meta(std::string_view key, std::string_view value);
  /// Metadata written by put_meta or commit, nullopt when absent.
  [[nodiscard]] core::Result<std::optional<std::string>> get_meta(std::string_view key);
  /// get_meta of a value written as a decimal integer. Errors: `corrupt_state` when it is not.
  [[nodiscard]] core::Result<std::optional<int64_t>> get_meta_int(std::string_view key);
  /// The meta `partitions` (kPartitionsMeta), nullopt when absent (a fresh state dir). Errors:
  /// `corrupt_state` when it is not an integer from 1 to core::kMaxPartitions.
  [[nodiscard]] core::Result<std::optional<int32_t>> partition_count();

  /// Calls `fn` for every customer in customer_id byte order, on a consistent snapshot. Stops at
  /// and returns the first error from `fn` or from decoding.
  [[nodiscard]] core::Result<void> for_each_customer(
      const std::function<core::Result<void>(const core::CustomerState&)>& fn);
  /// The same, pinned now and read later (on another thread, say), while commits go on.
  [[nodiscard]] CustomerScan scan_customers(CustomerFields fields = CustomerFields::kAll);

  /// Stores a model snapshot (bytes of a segd.v1.ModelSnapshot, see encode_model) under `version`,
  /// fsynced as a commit is (StoreConfig::durability).
  [[nodiscard]] core::Result<void> put_model(int64_t version, std::string_view snapshot);
  /// The highest stored version and its bytes, nullopt when no model is stored.
  [[nodiscard]] core::Result<std::optional<std::pair<int64_t, std::string>>> latest_model();
  /// The bytes stored under `version`, nullopt when absent.
  [[nodiscard]] core::Result<std::optional<std::string>> model(int64_t version);

  /// Current RocksDB figures (cheap property reads; a figure RocksDB cannot give stays 0).
  [[nodiscard]] StoreStats stats() const;

  /// Flushes memtables and the WAL (unless read-only), releases column families and closes the
  /// database. Later calls return Ok; no other method may be called afterwards.
  [[nodiscard]] core::Result<void> close();

 private:
  enum Family : size_t { kDefault, kCustomers, kTimers, kOffsets, kOutbox, kModels, kFamilyCount };

  RocksStore(std::unique_ptr<rocksdb::DB> db,
             std::vector<rocksdb::ColumnFamilyHandle*> handles,
             std::shared_ptr<rocksdb::Statistics> statistics,
             Durability durability);
  [[nodiscard]] core::Result<std::optional<std::string>> get_raw(Family family,
                                                                 std::string_view key);
  using IntegerDecoder = std::optional<int64_t> (*)(std::string_view);
  /// An integer in `offsets` under `key`, read by `decode`; `corrupt_state` when it does not
  /// decode.
  [[nodiscard]] core::Result<std::optional<int64_t>> get_i64(const std::string& key,
                                                             IntegerDecoder decode);
  [[nodiscard]] core::Result<uint64_t> load_next_seq();
  /// Whether the `customers` family holds no customer.
  [[nodiscard]] core::Result<bool> no_customers();
  [[nodiscard]] rocksdb::ColumnFamilyHandle* cf(Family family) const {
    return handles_[family].get();
  }

  struct HandleCloser {
    rocksdb::DB* db = nullptr;
    void operator()(rocksdb::ColumnFamilyHandle* handle) const;
  };
  using HandlePtr = std::unique_ptr<rocksdb::ColumnFamilyHandle, HandleCloser>;

  std::shared_ptr<rocksdb::Statistics> statistics_;
  OpenMode mode_ = OpenMode::kCreate;
  SharedDbLock read_lock_;  // kReadOnly: held until the database is closed.
  // The DB is declared before the handles, so the handles are destroyed first.
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<HandlePtr> handles_;
  Durability durability_;

  std::mutex commit_mutex_;  // Orders sequence assignment and writes.
  uint64_t next_seq_ = 1;    // Guarded by commit_mutex_.
  /// next_seq_ as of the last write, for outbox_records_from() (which takes no lock: the pipeline
  /// thread asks it every loop iteration, and a commit holds commit_mutex_ through its write).
  std::atomic<uint64_t> committed_seq_{1};
  /// No outbox key below this exists. Written under outbox_mutex_.
  std::atomic<uint64_t> outbox_floor_{0};
  std::mutex outbox_mutex_;
  FreshCustomers fresh_;  ///< Started when a writable open finds no customer stored.
};

}  // namespace segd::io
