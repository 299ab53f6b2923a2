#include "io/pipeline/outbox_drainer.h"

#include <algorithm>

#include "io/codec/segment_change_json.h"
#include "io/kafka/errors.h"
#include "io/kafka/thread_priority.h"
#include "io/log/log.h"
#include "io/state/state_codec.h"

namespace segd::io {
namespace {

constexpr size_t kFetch = 2000;
// Confirmed records are deleted once this many have piled up below the first unconfirmed one (or
// when nothing is in flight): few range tombstones, each covering many records.
constexpr uint64_t kDeleteEvery = 1024;

}  // namespace

OutboxDrainer::OutboxDrainer(const PipelineConfig& config,
                             RocksStore& store,
                             PipelineStats& stats,
                             std::unique_ptr<Producer> producer)
    : config_(config), store_(store), stats_(stats), producer_(std::move(producer)) {}

core::Result<std::unique_ptr<OutboxDrainer>> OutboxDrainer::create(const PipelineConfig& config,
                                                                   RocksStore& store,
                                                                   PipelineStats& stats) {
  auto producer = Producer::create(config.brokers, config.rdkafka_overrides, config.publisher_nice);
  if (!producer) {
    return std::unexpected(producer.error());
  }
  std::unique_ptr<OutboxDrainer> drainer(
      new OutboxDrainer(config, store, stats, std::move(*producer)));
  // What the outbox holds: a first look sets the store's floor (the records below it were
  // delivered and deleted); without it, the count would be every record ever written.
  if (auto first = store.pending_outbox(1, 0); !first) {
    return std::unexpected(first.error());
  }
  const uint64_t pending = drainer->pending();
  stats.update(
      [pending](PipelineSnapshot& s) { s.outbox_pending = static_cast<int64_t>(pending); });
  return drainer;
}

uint64_t OutboxDrainer::pending() const {
  return store_.outbox_records_from(confirmed_below_.load());
}

OutboxDrainer::~OutboxDrainer() {
  if (thread_.joinable()) {
    core::ignore_error(stop(std::chrono::milliseconds(0)), "fallback: stop() reports in order");
  }
}

void OutboxDrainer::start() {
  thread_ = std::thread([this] {
    name_this_thread("segd-drainer");
    // Publishing is background work: under full load the pipeline thread, whose rate bounds the
    // daemon's, keeps the core (README, "Thread priorities").
    if (auto lowered = kafka::lower_this_thread_priority(config_.publisher_nice); !lowered) {
      log(LogLevel::kWarn, "outbox",
          "the drainer keeps the pipeline's priority: " + lowered.error().message);
    }
    run();
  });
}

void OutboxDrainer::notify() {
  {
    std::lock_guard lock(mutex_);
    ++notifications_;
    idle_.store(false);
  }
  wake_.notify_one();
}

std::string OutboxDrainer::encode(const core::SegmentChange& change) const {
  return config_.output_format == WireFormat::kJson ? encode_segment_change_json(change)
                                                    : encode_change(change);
}

core::Result<size_t> OutboxDrainer::fill() {
  size_t sent = 0;
  while (in_flight_.size() < config_.outbox_max_in_flight) {
    auto records = store_.pending_outbox(
        std::min(kFetch, config_.outbox_max_in_flight - in_flight_.size()), next_seq_);
    if (!records) {
      return std::unexpected(records.error());
    }
    if (records->empty()) {
      break;
    }
    for (const OutboxRecord& r : *records) {
      const Producer::Headers headers = {
          {"segment", r.change.segment},
          {"change", std::string(core::change_kind_name(r.change.change))},
          {"model_version", std::to_string(r.change.model_version)}};
      auto queued = producer_->produce(config_.output_topic, r.change.customer_id, encode(r.change),
                                       headers, r.seq);
      if (!queued && kafka::is_error(queued.error(), RD_KAFKA_RESP_ERR__QUEUE_FULL)) {
        return sent;  // Serve delivery reports first, then continue from next_seq_.
      }
      if (!queued) {
        return std::unexpected(queued.error());  // Tried again after a pause.
      }
      in_flight_.insert(r.seq);
      next_seq_ = r.seq + 1;
      ++sent;
    }
  }
  return sent;
}

void OutboxDrainer::settle(const std::vector<Delivery>& reports) {
  int64_t delivered = 0;
  int64_t errors = 0;
  const auto now = FailureSummary::Clock::now();
  const auto warn = [](const std::optional<std::string>& line) {
    if (line) {
      log(LogLevel::kWarn, "outbox", *line + "; sent again");
    }
  };
  for (const Delivery& d : reports) {
    in_flight_.erase(d.tag);
    if (d.ok) {
      ++delivered;
    } else {
      ++errors;
      next_seq_ = std::min(next_seq_, d.tag);  // Send it (and what follows) again.
      warn(delivery_failures_.failed(d.error, now));
    }
  }
  warn(delivery_failures_.due(now));
  const uint64_t confirmed_below = this->confirmed_below();
  if (confirmed_below >= deleted_below_ + kDeleteEvery ||
      (in_flight_.empty() && confirmed_below > deleted_below_)) {
    if (auto removed = store_.delete_outbox_range(deleted_below_, confirmed_below); removed) {
      deleted_below_ = confirmed_below;
    } else {
      log(LogLevel::kError, "outbox",
          "cannot delete delivered records: " + removed.error().message);
    }
  }
  confirmed_below_.store(confirmed_below);
  const uint64_t pending = store_.outbox_records_from(confirmed_below);
  stats_.update([&](PipelineSnapshot& s) {
    s.outbox_published += delivered;
    s.outbox_publish_errors += errors;
    s.outbox_pending = static_cast<int64_t>(pending);
  });
}

// Every record below the first one sent but unconfirmed (or not yet sent again after a failed
// delivery) was delivered at least once. One confirmed above that gap waits until it closes;
// after a crash meanwhile it is published again, with the same event_id (at-least-once).
uint64_t OutboxDrainer::confirmed_below() const {
  return in_flight_.empty() ? next_seq_ : std::min(next_seq_, *in_flight_.begin());
}

void OutboxDrainer::run() {
  auto deadline = std::chrono::steady_clock::time_point::max();
  while (true) {
    uint64_t looking_after = 0;  // The notifications this look at the outbox answers.
    {
      std::lock_guard lock(mutex_);
      looking_after = notifications_;
    }
    auto sent = fill();
    failing_ = !sent.has_value();
    if (!sent) {
      log(LogLevel::kError, "outbox",
          "cannot publish the outbox (" + sent.error().code + "): " + sent.error().message +
              "; trying again in 1 s");
      stats_.update([](PipelineSnapshot& s) { s.outbox_publish_errors += 1; });
    }
    settle(producer_->poll(in_flight_.empty() ? 0 : 50));
    const bool empty = in_flight_.empty() && sent && *sent == 0;
    {
      std::lock_guard lock(mutex_);
      idle_.store(empty && notifications_ == looking_after);
    }
    if (stopping_.load()) {
      if (deadline == std::chrono::steady_clock::time_point::max()) {
        deadline = std::chrono::steady_clock::now() + drain_timeout_;
      }
      if (empty || std::chrono::steady_clock::now() >= deadline) {
        break;
      }
    }
    if (empty || !sent) {  // Nothing to do, or a pause before trying again.
      std::unique_lock lock(mutex_);
      const auto pause = sent ? std::chrono::milliseconds(200) : std::chrono::milliseconds(1000);
      wake_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + pause),
                       [&] { return notifications_ != looking_after; });
    }
  }
}

core::Result<void> OutboxDrainer::stop(std::chrono::milliseconds timeout) {
  drain_timeout_ = timeout;
  stopping_.store(true);
  notify();
  if (thread_.joinable()) {
    thread_.join();
  }
  if (const uint64_t pending = store_.outbox_records_from(confirmed_below()); pending > 0) {
    return core::fail("outbox_not_drained", std::to_string(pending) +
                                                " records were not confirmed; they stay in the "
                                                "outbox and are published after restart");
  }
  if (failing_) {
    return core::fail("outbox_not_drained",
                      "records could not be published; they stay in the outbox and are "
                      "published after restart");
  }
  return {};
}

}  // namespace segd::io
