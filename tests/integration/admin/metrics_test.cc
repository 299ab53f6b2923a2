// MetricsExporter: counters by delta, gauges set and pruned, histograms observed.
#include "io/admin/metrics.h"

#include <gtest/gtest.h>
#include <prometheus/histogram.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace segd::test {
namespace {

// The value of one series line `name{labels} value`, nullopt when absent.
std::optional<double> sample(const std::string& page, const std::string& series) {
  const std::string prefix = "\n" + series + " ";
  const size_t at = ("\n" + page).find(prefix);
  if (at == std::string::npos) {
    return std::nullopt;
  }
  return std::stod(page.substr(at - 1 + prefix.size()));
}

io::MetricsInputs inputs_with(int64_t consumed) {
  io::MetricsInputs in;
  in.pipeline.topics["clicks"].consumed = consumed;
  return in;
}

TEST(MetricsExporterTest, CountersAdvanceByDeltaAndNeverGoBack) {
  io::MetricsExporter m("v");
  m.update(inputs_with(10));
  EXPECT_EQ(sample(m.serialize(), "segd_events_consumed_total{topic=\"clicks\"}"), 10);
  m.update(inputs_with(25));
  EXPECT_EQ(sample(m.serialize(), "segd_events_consumed_total{topic=\"clicks\"}"), 25);
  m.update(inputs_with(20));
  EXPECT_EQ(sample(m.serialize(), "segd_events_consumed_total{topic=\"clicks\"}"), 25);
}

// A topic's counters appeared with its first count: input lost to retention at the first fetch
// after a restart was the series' first sample, increase() saw no rise, and the alert for exactly
// that case (SegdInputLostToRetention) never fired.
TEST(MetricsExporterTest, DeclaredTopicsAreExportedAtZeroBeforeTheirFirstCount) {
  io::MetricsExporter m("v");
  m.declare_topics({"clicks", "purchases"});
  const std::string page = m.serialize();
  for (const std::string topic : {"clicks", "purchases"}) {
    for (const std::string name :
         {"segd_events_consumed_total", "segd_events_processed_total",
          "segd_events_deduplicated_total", "segd_input_lost_to_retention_total"}) {
      EXPECT_EQ(sample(page, name + "{topic=\"" + topic + "\"}"), 0) << name << " " << topic;
    }
  }
  m.update(inputs_with(7));
  EXPECT_EQ(sample(m.serialize(), "segd_events_consumed_total{topic=\"clicks\"}"), 7);
}

TEST(MetricsExporterTest, RuleReloadsAreCountedByResultFromTheStart) {
  io::MetricsExporter m("v");
  EXPECT_EQ(sample(m.serialize(), "segd_rules_reloads_total{result=\"rejected\"}"), 0);
  io::MetricsInputs in;
  in.pipeline.rule_reloads = 2;
  in.pipeline.rule_reloads_rejected = 1;
  m.update(in);
  const std::string page = m.serialize();
  EXPECT_EQ(sample(page, "segd_rules_reloads_total{result=\"applied\"}"), 2);
  EXPECT_EQ(sample(page, "segd_rules_reloads_total{result=\"rejected\"}"), 1);
}

// A partition that had no event yet was exported at stream time 0, which reads as 56 years
// behind in time() - segd_stream_time_seconds.
TEST(MetricsExporterTest, APartitionWithoutEventsHasNoStreamTimeSeries) {
  io::MetricsExporter m("v");
  io::MetricsInputs in;
  in.pipeline.stream_time_ms = {{0, 0}, {1, 1500}};
  m.update(in);
  const std::string page = m.serialize();
  EXPECT_EQ(sample(page, "segd_stream_time_seconds{partition=\"0\"}"), std::nullopt);
  EXPECT_EQ(sample(page, "segd_stream_time_seconds{partition=\"1\"}"), 1.5);
}

TEST(MetricsExporterTest, ChangesSplitIntoSegmentAndDirection) {
  io::MetricsExporter m("v");
  io::MetricsInputs in;
  in.pipeline.changes = {{"at_risk/enter", 4}, {"at_risk/exit", 1}};
  in.pipeline.topics["clicks"].dead_lettered = {{"bad_json", 3}};
  in.pipeline.topics["clicks"].lost_to_retention = 12;
  m.update(in);
  const std::string page = m.serialize();
  EXPECT_EQ(sample(page, "segd_input_lost_to_retention_total{topic=\"clicks\"}"), 12);
  EXPECT_EQ(sample(page, "segd_segment_changes_total{direction=\"enter\",segment=\"at_risk\"}"), 4);
  EXPECT_EQ(sample(page, "segd_segment_changes_total{direction=\"exit\",segment=\"at_risk\"}"), 1);
  EXPECT_EQ(sample(page, "segd_events_dead_lettered_total{reason=\"bad_json\",topic=\"clicks\"}"),
            3);
}

TEST(MetricsExporterTest, GaugesOfVanishedLabelsAreRemoved) {
  io::MetricsExporter m("v");
  io::MetricsInputs in;
  in.pipeline.partition_lag = {{0, 7}, {1, 9}};
  in.pipeline.stream_time_ms = {{0, 1500}};
  in.segments = std::vector<io::SegmentSummary>{{"a", "x", "", 3}, {"b", "y", "", 4}};
  m.update(in);
  std::string page = m.serialize();
  EXPECT_EQ(sample(page, "segd_consumer_lag_messages{partition=\"1\"}"), 9);
  EXPECT_EQ(sample(page, "segd_stream_time_seconds{partition=\"0\"}"), 1.5);
  EXPECT_EQ(sample(page, "segd_segment_members{segment=\"b\"}"), 4);

  in.pipeline.partition_lag = {{0, 2}};
  in.segments = std::vector<io::SegmentSummary>{{"a", "x", "", 5}};
  m.update(in);
  page = m.serialize();
  EXPECT_EQ(sample(page, "segd_consumer_lag_messages{partition=\"0\"}"), 2);
  EXPECT_FALSE(sample(page, "segd_consumer_lag_messages{partition=\"1\"}"));
  EXPECT_FALSE(sample(page, "segd_segment_members{segment=\"b\"}"));
  EXPECT_EQ(sample(page, "segd_segment_members{segment=\"a\"}"), 5);

  in.segments = std::nullopt;  // Listing failed: the last sizes stay.
  m.update(in);
  EXPECT_EQ(sample(m.serialize(), "segd_segment_members{segment=\"a\"}"), 5);
}

TEST(MetricsExporterTest, StoreModelAndReadinessGaugesAreSet) {
  io::MetricsExporter m("2.0");
  io::MetricsInputs in;
  in.store = {.live_data_bytes = 100,
              .memtable_bytes = 200,
              .pending_compaction_bytes = 300,
              .block_cache_hit_ratio = 0.5,
              .customers_estimate = 40,
              .wal_syncs = 9};
  in.model = {.version = 7, .last_refit_seconds = 1.25};
  in.ready = true;
  in.pipeline.outbox_pending = 6;
  in.pipeline.outbox_published = 11;
  in.pipeline.timers_fired = 12;
  m.update(in);
  const std::string page = m.serialize();
  EXPECT_EQ(sample(page, "segd_rocksdb_live_data_bytes"), 100);
  EXPECT_EQ(sample(page, "segd_rocksdb_memtable_bytes"), 200);
  EXPECT_EQ(sample(page, "segd_rocksdb_pending_compaction_bytes"), 300);
  EXPECT_EQ(sample(page, "segd_rocksdb_block_cache_hit_ratio"), 0.5);
  EXPECT_EQ(sample(page, "segd_customers"), 40);
  EXPECT_EQ(sample(page, "segd_rocksdb_wal_syncs_total"), 9);
  EXPECT_EQ(sample(page, "segd_model_version"), 7);
  EXPECT_EQ(sample(page, "segd_model_refit_duration_seconds"), 1.25);
  EXPECT_EQ(sample(page, "segd_ready"), 1);
  EXPECT_EQ(sample(page, "segd_outbox_pending"), 6);
  EXPECT_EQ(sample(page, "segd_outbox_published_total"), 11);
  EXPECT_EQ(sample(page, "segd_timers_fired_total"), 12);
  EXPECT_EQ(sample(page, "segd_build_info{version=\"2.0\"}"), 1);
}

TEST(MetricsExporterTest, ObservationsFeedTheHistograms) {
  io::MetricsExporter m("v");
  m.observe_batch(0.003, 120);
  m.observe_batch(0.2, 5000);
  const std::vector<double> lags = {42, 0.5, 1e7};
  m.observe_event_lags(lags);
  m.observe_event_lags({});
  const std::string page = m.serialize();
  EXPECT_EQ(sample(page, "segd_batch_duration_seconds_count"), 2);
  EXPECT_EQ(sample(page, "segd_batch_duration_seconds_bucket{le=\"0.005\"}"), 1);
  EXPECT_EQ(sample(page, "segd_batch_events_sum"), 5120);
  EXPECT_EQ(sample(page, "segd_event_time_lag_seconds_count"), 3);
  EXPECT_EQ(sample(page, "segd_event_time_lag_seconds_sum"), 42 + 0.5 + 1e7);
  // Buckets are cumulative; a value on a bound counts in that bucket (le = "less or equal").
  const std::pair<std::string, double> buckets[] = {{"0.1", 0}, {"0.5", 1},    {"30", 1},
                                                    {"60", 2},  {"604800", 2}, {"+Inf", 3}};
  for (const auto& [le, n] : buckets) {
    EXPECT_EQ(sample(page, "segd_event_time_lag_seconds_bucket{le=\"" + le + "\"}"), n) << le;
  }
}

TEST(MetricsExporterTest, EventLagsLandInTheBucketsHistogramObserveWouldPick) {
  const std::vector<double> lags = {0, 0.01, 0.011, 3, 3600, 86400, 604800, 604801, -2};
  io::MetricsExporter m("v");
  m.observe_event_lags(lags);
  const auto families = m.registry().Collect();
  const auto family = std::find_if(families.begin(), families.end(), [](const auto& f) {
    return f.name == "segd_event_time_lag_seconds";
  });
  ASSERT_NE(family, families.end());
  ASSERT_EQ(family->metric.size(), 1U);
  const prometheus::ClientMetric::Histogram& got = family->metric[0].histogram;
  std::vector<double> bounds;
  for (const auto& bucket : got.bucket) {
    bounds.push_back(bucket.upper_bound);
  }
  bounds.pop_back();  // +Inf is implicit.
  prometheus::Histogram reference(bounds);
  for (const double lag : lags) {
    reference.Observe(lag);
  }
  const prometheus::ClientMetric::Histogram want = reference.Collect().histogram;
  EXPECT_EQ(got.sample_count, want.sample_count);
  EXPECT_EQ(got.sample_sum, want.sample_sum);
  ASSERT_EQ(got.bucket.size(), want.bucket.size());
  for (size_t i = 0; i < got.bucket.size(); ++i) {
    EXPECT_EQ(got.bucket[i].cumulative_count, want.bucket[i].cumulative_count)
        << "le=" << got.bucket[i].upper_bound;
  }
}

}  // namespace
}  // namespace segd::test
