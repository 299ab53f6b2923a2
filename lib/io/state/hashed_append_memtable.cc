#include "io/state/hashed_append_memtable.h"

#include <rocksdb/slice.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/check.h"
#include "io/state/key_prefix.h"

namespace segd::io {
namespace {

using rocksdb::MemTableRep;
using KeyComparator = MemTableRep::KeyComparator;

// Internal keys end with the sequence number and type, packed in 8 bytes.
constexpr size_t kInternalKeyTrailer = 8;

std::string_view user_key(const rocksdb::Slice& internal_key) {
  return {internal_key.data(), internal_key.size() - kInternalKeyTrailer};
}

std::string_view user_key(const KeyComparator& compare, const char* entry) {
  return user_key(compare.decode_key(entry));
}

// The sequence number and type of an internal key, as one number (fixed64, little endian): of
// two versions of a key, the one with the larger goes first.
uint64_t trailer_of(const rocksdb::Slice& internal_key) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(
      internal_key.data() + internal_key.size() - kInternalKeyTrailer);
  uint64_t trailer = 0;
  for (size_t i = kInternalKeyTrailer; i-- > 0;) {
    trailer = (trailer << 8) | bytes[i];
  }
  return trailer;
}

// An entry with its user key's prefix (wide_key_prefix()) and its trailer: the merge of a flush
// compares these, next to each other in memory, and reads the entries (scattered in the arena)
// only when keys longer than 15 bytes tie on their prefixes. (A customer's key is a few bytes; a
// timer's is a 4-byte partition and the customer's, which a 7-byte prefix did not tell apart.)
struct Keyed {
  WideKeyPrefix prefix;
  uint64_t trailer = 0;
  const char* entry = nullptr;
};
using Entries = std::vector<Keyed>;

Keyed keyed(const KeyComparator& compare, const char* entry) {
  const rocksdb::Slice internal = compare.decode_key(entry);
  return {wide_key_prefix(user_key(internal)), trailer_of(internal), entry};
}

// Whether `a` goes before `b` in the memtable's order: by user key bytewise, then the newer
// version first. A hot key's versions from different runs meet often in a merge; when the key is
// short, their trailers settle it.
bool precedes(const KeyComparator& compare, const Keyed& a, const Keyed& b) {
  if (a.prefix != b.prefix) {
    return a.prefix < b.prefix;
  }
  return prefix_is_whole_key(a.prefix) ? a.trailer > b.trailer : compare(a.entry, b.entry) < 0;
}

// Whether `compare` orders as precedes() assumes: user keys bytewise, then versions by trailer,
// the larger first. Tried on entries of the memtable's format (length, user key, trailer).
bool orders_bytewise(const KeyComparator& compare) {
  const auto entry = [](std::string_view key, uint64_t sequence) {
    std::string e(1, static_cast<char>(key.size() + kInternalKeyTrailer));  // A 1-byte varint.
    e.append(key);
    const uint64_t trailer = (sequence << 8) | 1;  // Type 1: a value.
    for (size_t i = 0; i < kInternalKeyTrailer; ++i) {
      e.push_back(static_cast<char>((trailer >> (8 * i)) & 0xff));
    }
    return e;
  };
  struct Ordered {
    std::string_view first;
    std::string_view second;
    uint64_t first_sequence = 1;
    uint64_t second_sequence = 1;
  };
  const std::array<Ordered, 6> ordered = {Ordered{"a", "b"},
                                          Ordered{"a", "ab"},
                                          Ordered{"ab", "b"},
                                          Ordered{"\x7f", "\x80"},
                                          Ordered{"", std::string_view("\0", 1)},
                                          Ordered{"a", "a", 2, 1}};
  return std::ranges::all_of(ordered, [&](const Ordered& o) {
    const std::string first = entry(o.first, o.first_sequence);
    const std::string second = entry(o.second, o.second_sequence);
    return compare(first.data(), second.data()) < 0 && compare(second.data(), first.data()) > 0;
  });
}

// An entry as the memtable encodes it, placed right behind the link to the next older version
// of its key in this memtable.
struct Version {
  std::atomic<Version*> older{nullptr};

  [[nodiscard]] const char* entry() const { return reinterpret_cast<const char*>(this + 1); }
};

// The first address in `raw` aligned for T.
template <typename T>
void* align_for(char* raw) {
  const auto address = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (address + alignof(T) - 1) & ~(uintptr_t{alignof(T)} - 1);
  return raw + (aligned - address);
}

// Merges the sorted runs that start at 0 and at each of `starts` into one order, pairwise; sorts
// entries that came in no order (runs of a few entries: the timers' records) instead, which
// ends in the same order (no two entries are equal: their sequence numbers differ).
void merge_runs(Entries& entries, const std::vector<size_t>& starts, const KeyComparator& compare) {
  const auto less = [&compare](const Keyed& a, const Keyed& b) { return precedes(compare, a, b); };
  constexpr size_t kShortRun = 8;
  if (starts.size() * kShortRun > entries.size()) {
    std::sort(entries.begin(), entries.end(), less);
    return;
  }
  std::vector<size_t> bounds;
  bounds.reserve(starts.size() + 2);
  bounds.push_back(0);
  bounds.insert(bounds.end(), starts.begin(), starts.end());
  bounds.push_back(entries.size());
  const auto at = [&entries](size_t i) { return entries.begin() + static_cast<ptrdiff_t>(i); };
  while (bounds.size() > 2) {
    std::vector<size_t> merged{0};
    size_t i = 0;
    for (; i + 2 < bounds.size(); i += 2) {
      std::inplace_merge(at(bounds[i]), at(bounds[i + 1]), at(bounds[i + 2]), less);
      merged.push_back(bounds[i + 2]);
    }
    if (i + 1 < bounds.size()) {
      merged.push_back(bounds.back());  // An odd run out goes on as it is.
    }
    bounds = std::move(merged);
  }
}

// A memtable's entries: appended in the order they come, put in order once read-only.
class OrderedEntries {
 public:
  explicit OrderedEntries(const KeyComparator& compare) : compare_(compare) {}

  // Appends `entry` and returns the bytes held. The writer only.
  size_t add(const char* entry) {
    const Keyed next = keyed(compare_, entry);
    const std::lock_guard lock(mutex_);
    if (!entries_.empty() && precedes(compare_, next, entries_.back())) {
      run_starts_.push_back(entries_.size());
    }
    entries_.push_back(next);
    return entries_.capacity() * sizeof(Keyed) + run_starts_.capacity() * sizeof(size_t);
  }

  void mark_read_only() {
    const std::lock_guard lock(mutex_);
    read_only_ = true;
  }

  // The entries in order. A read-only memtable's are sorted in place once and shared; a live
  // one's are copied and sorted for each iterator (only scans and flushes iterate).
  [[nodiscard]] std::shared_ptr<const Entries> sorted() {
    std::unique_lock lock(mutex_);
    if (sorted_ != nullptr) {
      return sorted_;
    }
    if (read_only_) {
      merge_runs(entries_, run_starts_, compare_);
      sorted_ = std::make_shared<const Entries>(std::move(entries_));
      entries_ = {};
      run_starts_ = {};
      return sorted_;
    }
    Entries copy = entries_;
    const std::vector<size_t> starts = run_starts_;
    lock.unlock();
    merge_runs(copy, starts, compare_);
    return std::make_shared<const Entries>(std::move(copy));
  }

 private:
  const KeyComparator& compare_;
  std::mutex mutex_;
  Entries entries_;                        ///< Insertion order; guarded by mutex_.
  std::vector<size_t> run_starts_;         ///< Where each sorted run after the first starts.
  bool read_only_ = false;                 ///< Guarded by mutex_.
  std::shared_ptr<const Entries> sorted_;  ///< Once read-only and iterated.
};

// All entries in the memtable's order: what a flush or a scan walks. They are put in order at
// the first positioning, on the thread that iterates: a scan made at a batch boundary and read
// by a refit's thread (or a flush) leaves the sort off the batch's path. Entries written after
// the iterator was made come along, as with a skip list; their sequence numbers hide them.
class SortedIterator final : public MemTableRep::Iterator {
  static constexpr size_t kPrefetchAhead = 8;

 public:
  SortedIterator(OrderedEntries& source, const KeyComparator& compare)
      : source_(source), compare_(compare) {}

  [[nodiscard]] bool Valid() const override { return at_ < size(); }
  [[nodiscard]] const char* key() const override { return (*entries_)[at_].entry; }
  void Next() override {
    ++at_;
    // Entries sit in the arena in the order they came, not in this one: ask for one ahead.
    if (at_ + kPrefetchAhead < size()) {
      __builtin_prefetch((*entries_)[at_ + kPrefetchAhead].entry);
    }
  }
  void Prev() override { at_ = at_ == 0 ? size() : at_ - 1; }

  void Seek(const rocksdb::Slice& internal_key, const char* /*memtable_key*/) override {
    at_ = first_where([&](const char* e) { return compare_(e, internal_key) >= 0; });
  }

  void SeekForPrev(const rocksdb::Slice& internal_key, const char* /*memtable_key*/) override {
    const size_t after = first_where([&](const char* e) { return compare_(e, internal_key) > 0; });
    at_ = after == 0 ? size() : after - 1;
  }

  void SeekToFirst() override {
    load();
    at_ = 0;
  }

  void SeekToLast() override {
    load();
    at_ = entries_->empty() ? 0 : entries_->size() - 1;
  }

 private:
  [[nodiscard]] size_t size() const { return entries_ == nullptr ? 0 : entries_->size(); }

  void load() {
    if (entries_ == nullptr) {
      entries_ = source_.sorted();
    }
  }

  template <typename Predicate>
  [[nodiscard]] size_t first_where(Predicate reached) {
    load();
    const auto found = std::partition_point(entries_->begin(), entries_->end(),
                                            [&](const Keyed& e) { return !reached(e.entry); });
    return static_cast<size_t>(found - entries_->begin());
  }

  OrderedEntries& source_;
  const KeyComparator& compare_;
  std::shared_ptr<const Entries> entries_;  ///< Null until positioned.
  size_t at_ = 0;
};

// The newest version of each key in a memtable: an open-addressing table that the one writer
// fills and readers probe without a lock (a shared lock here had the engine's point reads and
// the commit's inserts, on two cores, waking each other through futexes). The table doubles
// when half full; the smaller ones stay until the memtable goes, since a reader may still be
// probing one. In all 64-128 bytes per key, counted in the memtable's size (a customer's entry
// takes about 1.5 KB).
class VersionIndex {
 public:
  explicit VersionIndex(const KeyComparator& compare) : compare_(compare) {
    tables_.push_back(std::make_unique<Table>(kFirstSlots));
    current_.store(tables_.back().get(), std::memory_order_release);
  }

  // The newest version of `key`, or null. Any thread.
  [[nodiscard]] const Version* newest(std::string_view key) const {
    const uint64_t hash = hash_of(key);
    const Table& table = *current_.load(std::memory_order_acquire);
    for (size_t i = hash & table.mask;; i = (i + 1) & table.mask) {
      const Version* head = table.heads[i].load(std::memory_order_acquire);
      if (head == nullptr) {
        return nullptr;
      }
      if (table.hashes[i].load(std::memory_order_relaxed) == hash &&
          user_key(compare_, head->entry()) == key) {
        return head;
      }
    }
  }

  // Adds `version` to its key's versions, newest first. The writer only (inserts are serialized).
  void add(Version* version) {
    const std::string_view key = user_key(compare_, version->entry());
    const uint64_t hash = hash_of(key);
    Table& table = *tables_.back();
    for (size_t i = hash & table.mask;; i = (i + 1) & table.mask) {
      Version* head = table.heads[i].load(std::memory_order_relaxed);
      if (head == nullptr) {
        table.hashes[i].store(hash, std::memory_order_relaxed);
        table.heads[i].store(version, std::memory_order_release);
        if (++keys_ * 2 > table.mask + 1) {
          grow();
        }
        return;
      }
      if (table.hashes[i].load(std::memory_order_relaxed) == hash &&
          user_key(compare_, head->entry()) == key) {
        link(table.heads[i], version);
        return;
      }
    }
  }

  // Bytes of every table, the retired ones included.
  [[nodiscard]] size_t bytes() const { return bytes_; }

 private:
  static constexpr size_t kFirstSlots = 1024;
  static constexpr size_t kSlotBytes =
      sizeof(std::atomic<uint64_t>) + sizeof(std::atomic<Version*>);

  struct Table {
    explicit Table(size_t slots) : mask(slots - 1), hashes(slots), heads(slots) {}
    const size_t mask;
    std::vector<std::atomic<uint64_t>> hashes;  ///< Stored before its head is published.
    std::vector<std::atomic<Version*>> heads;   ///< Null: an empty slot.
  };

  static uint64_t hash_of(std::string_view key) { return std::hash<std::string_view>{}(key); }

  void grow() {
    const Table& old = *tables_.back();
    auto bigger = std::make_unique<Table>((old.mask + 1) * 2);
    for (size_t i = 0; i <= old.mask; ++i) {
      Version* head = old.heads[i].load(std::memory_order_relaxed);
      if (head == nullptr) {
        continue;
      }
      const uint64_t hash = old.hashes[i].load(std::memory_order_relaxed);
      size_t j = hash & bigger->mask;
      while (bigger->heads[j].load(std::memory_order_relaxed) != nullptr) {
        j = (j + 1) & bigger->mask;
      }
      bigger->hashes[j].store(hash, std::memory_order_relaxed);
      bigger->heads[j].store(head, std::memory_order_relaxed);
    }
    bytes_ += (bigger->mask + 1) * kSlotBytes;
    tables_.push_back(std::move(bigger));
    current_.store(tables_.back().get(), std::memory_order_release);
  }

  // Keeps the key's versions in the memtable's order, newest first. Versions come in the order
  // of their sequence numbers (inserts are serialized), so a new one normally goes first.
  void link(std::atomic<Version*>& head, Version* version) {
    const char* entry = version->entry();
    Version* first = head.load(std::memory_order_relaxed);
    if (compare_(entry, first->entry()) < 0) {
      version->older.store(first, std::memory_order_relaxed);
      head.store(version, std::memory_order_release);
      return;
    }
    Version* before = first;
    Version* next = before->older.load(std::memory_order_relaxed);
    while (next != nullptr && compare_(next->entry(), entry) < 0) {
      before = next;
      next = next->older.load(std::memory_order_relaxed);
    }
    version->older.store(next, std::memory_order_relaxed);
    before->older.store(version, std::memory_order_release);
  }

  const KeyComparator& compare_;
  std::vector<std::unique_ptr<Table>> tables_;  ///< The writer's; the last is the current one.
  std::atomic<const Table*> current_{nullptr};
  size_t keys_ = 0;
  size_t bytes_ = kFirstSlots * kSlotBytes;
};

// One key's versions, newest first: what RocksDB's point read (MemTableRep::Get) walks after
// its Seek. The rest of the interface positions nowhere.
//
// RocksDB's default Get (7.8) never deletes the iterator it asks for, so each point read leaked
// one (LeakSanitizer found 25k of them in the state tests). This one therefore lives in its
// thread's storage, made anew by each call over the last one (whose destructor does nothing; a
// Get runs on one thread and never inside another). Its delete frees nothing, in case a later
// RocksDB deletes it.
class VersionsIterator final : public MemTableRep::Iterator {
 public:
  VersionsIterator(const VersionIndex& index, const KeyComparator& compare)
      : index_(index), compare_(compare) {}

  // The calling thread's iterator over `index`, replacing the last one it made.
  static VersionsIterator* for_this_thread(const VersionIndex& index,
                                           const KeyComparator& compare) {
    alignas(VersionsIterator) thread_local std::byte storage[sizeof(VersionsIterator)];  // NOLINT
    return new (storage) VersionsIterator(index, compare);
  }

  static void operator delete(void* /*storage*/) {}

  [[nodiscard]] bool Valid() const override { return at_ != nullptr; }
  [[nodiscard]] const char* key() const override { return at_->entry(); }
  void Next() override { at_ = at_->older.load(std::memory_order_acquire); }
  void Prev() override { at_ = nullptr; }

  void Seek(const rocksdb::Slice& internal_key, const char* /*memtable_key*/) override {
    at_ = index_.newest(user_key(internal_key));
    while (at_ != nullptr && compare_(at_->entry(), internal_key) < 0) {
      at_ = at_->older.load(std::memory_order_acquire);
    }
  }

  void SeekForPrev(const rocksdb::Slice& /*internal_key*/, const char* /*memtable_key*/) override {
    at_ = nullptr;
  }
  void SeekToFirst() override { at_ = nullptr; }
  void SeekToLast() override { at_ = nullptr; }

 private:
  const VersionIndex& index_;
  const KeyComparator& compare_;
  const Version* at_ = nullptr;
};

// Appends entries and sorts them once read; `indexed`: keeps each key's newest version in a
// VersionIndex for point reads, else a family read by scans only (see the factories).
class HashedAppendRep final : public MemTableRep {
 public:
  HashedAppendRep(const KeyComparator& compare, rocksdb::Allocator* allocator, bool indexed)
      : MemTableRep(allocator), compare_(compare), indexed_(indexed) {}

  rocksdb::KeyHandle Allocate(const size_t len, char** buf) override {
    // From the memtable's arena through the base class (the arena's type is not in RocksDB's
    // API). That allocation is not aligned: it takes room to align the link.
    char* raw = nullptr;
    MemTableRep::Allocate(sizeof(Version) + alignof(Version) - 1 + len, &raw);
    auto* version = new (align_for<Version>(raw)) Version;
    *buf = reinterpret_cast<char*>(version + 1);
    return version;
  }

  void Insert(rocksdb::KeyHandle handle) override {
    auto* version = static_cast<Version*>(handle);
    const size_t bytes = entries_.add(version->entry());
    if (indexed_) {
      index_.add(version);
    }
    memory_.store(bytes + index_.bytes(), std::memory_order_relaxed);
  }

  [[nodiscard]] bool Contains(const char* key) const override {
    if (!indexed_) {
      // Not asked on segd's paths; should RocksDB ask, a search of the sorted entries answers.
      const std::shared_ptr<const Entries> all = entries_.sorted();
      const auto at = std::partition_point(
          all->begin(), all->end(), [&](const Keyed& e) { return compare_(e.entry, key) < 0; });
      return at != all->end() && compare_(at->entry, key) == 0;
    }
    for (const Version* v = index_.newest(user_key(compare_, key)); v != nullptr;
         v = v->older.load(std::memory_order_acquire)) {
      if (compare_(v->entry(), key) == 0) {
        return true;
      }
    }
    return false;
  }

  void MarkReadOnly() override { entries_.mark_read_only(); }

  size_t ApproximateMemoryUsage() override { return memory_.load(std::memory_order_relaxed); }

  // RocksDB destroys an iterator made for its arena (a flush's, a scan's) but never frees it,
  // and the arena's type is not in its API. Such an iterator is placed in memory this memtable
  // frees when it goes (a few dozen bytes per scan while it lives; RocksDB's memtable arena
  // cannot take it, since an immutable memtable's size must not grow). Others are deleted.
  Iterator* GetIterator(rocksdb::Arena* arena) override {
    if (arena == nullptr) {
      return new SortedIterator(entries_, compare_);
    }
    const std::lock_guard lock(shells_mutex_);
    shells_.push_back(std::make_unique_for_overwrite<Shell>());
    return new (shells_.back()->bytes) SortedIterator(entries_, compare_);
  }

  Iterator* GetDynamicPrefixIterator(rocksdb::Arena* arena) override {
    // Only RocksDB's default Get asks here, without an arena: without a prefix extractor no
    // iterator is in RocksDB's prefix mode. Without the index there is nothing to walk: the
    // family must not be read by key (append_memtable_factory()).
    CHECK(arena == nullptr);
    CHECK(indexed_ && "append_memtable: a family read by scans only was read by key");
    return VersionsIterator::for_this_thread(index_, compare_);
  }

 private:
  struct Shell {
    alignas(SortedIterator) std::byte bytes[sizeof(SortedIterator)];  // NOLINT(*-avoid-c-arrays)
  };

  const KeyComparator& compare_;
  const bool indexed_;
  std::atomic<size_t> memory_{0};

  mutable OrderedEntries entries_{compare_};  // Mutable: Contains() sorts them.
  VersionIndex index_{compare_};              // Its first table only (16 KiB) when not `indexed_`.

  std::mutex shells_mutex_;
  std::vector<std::unique_ptr<Shell>> shells_;  ///< Guarded by shells_mutex_.
};

class HashedAppendRepFactory final : public rocksdb::MemTableRepFactory {
 public:
  explicit HashedAppendRepFactory(bool indexed) : indexed_(indexed) {}

  using MemTableRepFactory::CreateMemTableRep;

  MemTableRep* CreateMemTableRep(const KeyComparator& compare,
                                 rocksdb::Allocator* allocator,
                                 const rocksdb::SliceTransform* prefix_extractor,
                                 rocksdb::Logger* /*logger*/) override {
    // A prefix extractor would make RocksDB read the memtable through prefix iterators, which
    // here walk one key's versions.
    CHECK(prefix_extractor == nullptr);
    // The order precedes() sorts in.
    CHECK(orders_bytewise(compare));
    return new HashedAppendRep(compare, allocator, indexed_);
  }

  [[nodiscard]] const char* Name() const override {
    return indexed_ ? "SegdHashedAppendRepFactory" : "SegdAppendRepFactory";
  }

 private:
  const bool indexed_;
};

}  // namespace

std::shared_ptr<rocksdb::MemTableRepFactory> hashed_append_memtable_factory() {
  return std::make_shared<HashedAppendRepFactory>(/*indexed=*/true);
}

std::shared_ptr<rocksdb::MemTableRepFactory> append_memtable_factory() {
  return std::make_shared<HashedAppendRepFactory>(/*indexed=*/false);
}

}  // namespace segd::io
