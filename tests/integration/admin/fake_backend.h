#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "io/admin/admin_backend.h"
#include "io/codec/json_writer.h"

namespace segd::test {

/// An in-memory AdminBackend: customers map to the segments they are in. Thread-safe like the
/// real one; tests set its fields through the setters.
class FakeBackend final : public io::AdminBackend {
 public:
  FakeBackend() {
    rules_ = {{"vip", "clv_365d > 500", "", 0},
              {"churn_risk", "p_alive < 0.3", "p_alive > 0.5", 0}};
  }

  void put_customer(const std::string& id, std::set<std::string> segments) {
    std::lock_guard lock(mutex_);
    customers_[id] = std::move(segments);
  }
  void set_ready(bool ready) { ready_.store(ready); }
  void set_snapshot(io::PipelineSnapshot snapshot) {
    std::lock_guard lock(mutex_);
    snapshot_ = std::move(snapshot);
  }
  void set_reload(core::Result<std::vector<io::SegmentSummary>> next) {
    std::lock_guard lock(mutex_);
    reload_ = std::move(next);
  }
  /// What customer reads and erasures fail with from now on (nullopt: they work).
  /// Erasures are then "written" to this topic (as segd does with kafka.erasure_topic).
  void set_erasure_topic(std::string topic) {
    std::lock_guard lock(mutex_);
    erasure_topic_ = std::move(topic);
  }
  void set_customer_error(std::optional<core::Error> error) {
    std::lock_guard lock(mutex_);
    customer_error_ = std::move(error);
  }
  [[nodiscard]] int erase_calls() const { return erase_calls_.load(); }
  /// The arrival times the erasures were called with, in call order.
  [[nodiscard]] std::vector<io::RequestTime> arrivals() const {
    std::lock_guard lock(mutex_);
    return arrivals_;
  }
  /// Makes erasures and reloads wait until release_commands(), as the real ones wait for a
  /// pipeline busy with a batch.
  void hold_commands() {
    std::lock_guard lock(gate_mutex_);
    held_ = true;
  }
  /// Erasures and reloads that have reached the gate (held or passed).
  [[nodiscard]] int commands_at_gate() const { return at_gate_.load(); }
  void release_commands() {
    {
      std::lock_guard lock(gate_mutex_);
      held_ = false;
    }
    gate_.notify_all();
  }

  [[nodiscard]] io::PipelineSnapshot pipeline() const override {
    std::lock_guard lock(mutex_);
    return snapshot_;
  }
  [[nodiscard]] io::StoreStats store() const override {
    std::lock_guard lock(mutex_);
    return io::StoreStats{.live_data_bytes = 1 << 20,
                          .memtable_bytes = 4096,
                          .pending_compaction_bytes = 0,
                          .block_cache_hit_ratio = 0.75,
                          .customers_estimate = customers_.size()};
  }
  [[nodiscard]] io::ModelInfo model() const override {
    return {.version = 3, .last_refit_seconds = 0.25};
  }
  [[nodiscard]] bool ready() const override { return ready_.load(); }

  [[nodiscard]] core::Result<std::optional<std::string>> customer_json(
      const std::string& id) override {
    std::lock_guard lock(mutex_);
    if (customer_error_) {
      return std::unexpected(*customer_error_);
    }
    auto it = customers_.find(id);
    if (it == customers_.end()) {
      return std::nullopt;
    }
    io::JsonWriter w;
    w.begin_object();
    w.key("customer_id");
    w.string(id);
    w.key("segments");
    w.begin_array();
    for (const std::string& s : it->second) {
      w.string(s);
    }
    w.end_array();
    w.end_object();
    return w.take();
  }

  [[nodiscard]] core::Result<std::vector<io::SegmentSummary>> segments() override {
    std::lock_guard lock(mutex_);
    std::vector<io::SegmentSummary> out = rules_;
    for (io::SegmentSummary& s : out) {
      s.members = 0;
      for (const auto& [id, in] : customers_) {
        s.members += in.contains(s.name) ? 1 : 0;
      }
    }
    return out;
  }

  [[nodiscard]] core::Result<io::ErasureResult> erase_customer(const std::string& id,
                                                               io::RequestTime arrived) override {
    erase_calls_.fetch_add(1);
    {
      std::lock_guard lock(mutex_);
      arrivals_.push_back(arrived);
    }
    pass_gate();
    std::lock_guard lock(mutex_);
    if (customer_error_) {
      return std::unexpected(*customer_error_);
    }
    if (!erasure_topic_.empty()) {
      return io::ErasureResult{.queued = io::ErasureReceipt{erasure_topic_, 3, 41, "erasure-7"}};
    }
    auto it = customers_.find(id);
    if (it == customers_.end()) {
      return io::ErasureResult{};
    }
    io::ErasureResult result{.existed = true,
                             .exited_segments = {it->second.begin(), it->second.end()}};
    customers_.erase(it);
    return result;
  }

  [[nodiscard]] core::Result<std::vector<io::SegmentSummary>> reload_rules(
      io::RequestTime) override {
    pass_gate();
    std::lock_guard lock(mutex_);
    if (!reload_) {
      return reload_;
    }
    rules_ = *reload_;
    return rules_;
  }

 private:
  void pass_gate() {
    at_gate_.fetch_add(1);
    std::unique_lock lock(gate_mutex_);
    gate_.wait(lock, [this] { return !held_; });
  }

  std::mutex gate_mutex_;
  std::condition_variable gate_;
  bool held_ = false;  ///< Guarded by gate_mutex_.
  std::atomic<int> at_gate_{0};
  mutable std::mutex mutex_;
  std::map<std::string, std::set<std::string>> customers_;
  std::vector<io::SegmentSummary> rules_;
  io::PipelineSnapshot snapshot_;
  std::optional<core::Error> customer_error_;
  std::string erasure_topic_;
  std::vector<io::RequestTime> arrivals_;
  core::Result<std::vector<io::SegmentSummary>> reload_ = std::vector<io::SegmentSummary>{};
  std::atomic<bool> ready_{false};
  std::atomic<int> erase_calls_{0};
};

}  // namespace segd::test
