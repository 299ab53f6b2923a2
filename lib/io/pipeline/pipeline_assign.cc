// Pipeline: partition assignment and revocation (rebalances), and the partition-count check.
#include <utility>

#include "io/kafka/errors.h"
#include "io/log/log.h"
#include "io/pipeline/co_partitioning.h"
#include "io/pipeline/pipeline.h"
#include "io/pipeline/pipeline_internal.h"

namespace segd::io {

using detail::source_name;

void Pipeline::on_rebalance(rd_kafka_t* /*rk*/,
                            rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t* partitions,
                            void* opaque) {
  auto* self = static_cast<Pipeline*>(opaque);
  core::Result<void> done =
      err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? self->assign(partitions) : self->revoke();
  if (!done && !self->failed_) {
    self->failed_ = true;
    self->fatal_ = done.error();
  }
}

core::Result<std::vector<std::pair<std::string, int32_t>>> Pipeline::input_partition_counts() {
  // One request per input topic: after a request for all topics the consumer's fetching stalled
  // for about half a second in most runs (README, seventh session's benchmark notes).
  std::vector<std::pair<std::string, int32_t>> counts;
  for (const InputTopicConfig& t : config_.inputs) {
    kafka::TopicPtr handle(rd_kafka_topic_new(consumer_.get(), t.name.c_str(), nullptr));
    const rd_kafka_metadata_t* md = nullptr;
    const auto err = rd_kafka_metadata(consumer_.get(), 0, handle.get(), &md, 10000);
    if (err) {
      return std::unexpected(kafka::to_error(err, "metadata for " + t.name));
    }
    if (md->topic_cnt == 1 && md->topics[0].partition_cnt > 0) {
      counts.emplace_back(t.name, md->topics[0].partition_cnt);
    }
    rd_kafka_metadata_destroy(md);
  }
  return counts;
}

core::Result<void> Pipeline::refresh_partition_count(bool any_assigned) {
  auto counts = input_partition_counts();
  if (!counts && partition_count_ > 0) {  // Checked before; a broker fault must not stop segd.
    log(LogLevel::kWarn, "pipeline",
        "partition counts not checked again (" + counts.error().message + "); keeping " +
            std::to_string(partition_count_));
    return {};
  }
  if (!counts) {
    return std::unexpected(counts.error());
  }
  if (counts->empty()) {
    if (any_assigned) {
      return core::fail("kafka.metadata", "no input topic has partitions");
    }
    return {};
  }
  auto stored = store_.partition_count();
  if (!stored) {
    return std::unexpected(stored.error());
  }
  auto count = common_partition_count(*counts, *stored);
  if (!count) {
    return std::unexpected(count.error());
  }
  partition_count_ = *count;
  return {};
}

core::Result<void> Pipeline::assign(rd_kafka_topic_partition_list_t* partitions) {
  if (auto r = wait_for_commit(); !r) {  // Positions and timers are read from the store.
    return r;
  }
  // Fetched again on every assignment: a topic given more partitions causes a rebalance.
  if (auto r = refresh_partition_count(partitions->cnt > 0); !r) {
    return r;
  }
  std::vector<std::string> segments;  // Whose member counts each new partition loads.
  for (const core::SegmentDefinition& d : rules_->definitions()) {
    segments.push_back(d.name);
  }
  for (int i = 0; i < partitions->cnt; ++i) {
    rd_kafka_topic_partition_t& tp = partitions->elems[i];
    auto stored = store_.position(source_name(tp.topic, tp.partition));
    if (!stored) {
      return std::unexpected(stored.error());
    }
    // A fresh state dir starts at the beginning, whatever the group committed.
    tp.offset = stored->value_or(RD_KAFKA_OFFSET_BEGINNING);
    reading_[{topic_index(tp.topic), tp.partition}] = Reading{.at_end = false, .expected = *stored};
    caught_up_ = false;  // Until this partition too is read to its end.
    log(LogLevel::kInfo, "pipeline",
        "assigned " + source_name(tp.topic, tp.partition) + " from offset " +
            (stored->has_value() ? std::to_string(**stored) : std::string("beginning")));
    if (processors_.contains(tp.partition)) {
      continue;  // Another input topic's same partition: one processor for both.
    }
    const core::PartitionId p{tp.partition};
    auto restore = store_.partition_restore(p);
    if (!restore) {
      return std::unexpected(restore.error());
    }
    mergers_.emplace(tp.partition, TopicMerger(config_.inputs.size()));
    global_stream_ms_ = std::max(global_stream_ms_, restore->stream_time_ms);
    auto processor = std::make_unique<core::PartitionProcessor>(
        p, rules_, std::make_shared<core::NoModel>(), store_, std::move(*restore),
        core::PartitionProcessor::Options{config_.cache_customers});
    for (const ActiveModel& m : models_) {
      processor->add_model(m.scorer, m.active_from_ms);
    }
    processors_[tp.partition] = std::move(processor);
    timers_reported_[tp.partition] = 0;
    if (auto loaded = members_.load(tp.partition, segments); !loaded) {
      return loaded;
    }
  }
  if (const auto err = rd_kafka_assign(consumer_.get(), partitions); err) {
    return std::unexpected(kafka::to_error(err, "assign"));
  }
  // A partition revoked while paused would stay paused in librdkafka when assigned again, so new
  // ones take the current state; but only once segd has ever paused (paused_ implies it). A
  // resume restarts each partition's fetch start: an offset query in flight (a partition read
  // from its beginning) then came back outdated and was asked again about half a second later,
  // every fresh start.
  if (ever_paused_) {
    if (auto set = set_fetching(partitions, paused_); !set) {
      return set;
    }
  }
  if (config_.refit_every_ms > 0 && !processors_.empty() &&
      std::cmp_less(processors_.size(), partition_count_)) {
    log(LogLevel::kWarn, "models",
        "this instance owns " + std::to_string(processors_.size()) + " of " +
            std::to_string(partition_count_) +
            " partitions and trains its own model versions (models.refit_every): a partition "
            "that moves to another instance is rebuilt under that one's versions, and changes "
            "that depend on scores can differ there under the same event_ids (README, Several "
            "instances)");
  }
  stats_.update([&](PipelineSnapshot& s) {
    s.assigned = true;
    s.caught_up = false;  // As caught_up_: each new partition is read to its end first.
    s.segment_members = members_.totals();
    s.partition_count = partition_count_;
    for (const auto& [partition, processor] : processors_) {
      s.owned_partitions.insert(partition);
    }
  });
  return {};
}

core::Result<void> Pipeline::revoke() {
  auto committed = commit_and_wait();
  processors_.clear();
  timers_reported_.clear();
  caught_up_ = false;
  mergers_.clear();  // Buffered events were never committed as consumed: they are read again.
  position_moves_.clear();
  holding_.clear();
  reading_.clear();
  members_.clear();
  if (const auto err = rd_kafka_assign(consumer_.get(), nullptr); err) {
    return std::unexpected(kafka::to_error(err, "unassign"));
  }
  stats_.update([](PipelineSnapshot& s) {
    s.assigned = false;
    s.caught_up = false;
    s.owned_partitions.clear();
    s.segment_members.clear();
  });
  if (committed) {
    log(LogLevel::kInfo, "pipeline", "partitions revoked; last batch committed");
  } else {
    log(LogLevel::kWarn, "pipeline",
        "partitions revoked; last batch not committed (" + committed.error().code +
            "): its input is read again from the last committed positions");
  }
  return committed;
}

}  // namespace segd::io
