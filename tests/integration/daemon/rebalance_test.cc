// Two segd instances in one consumer group, each with its own state dir, while input keeps
// arriving: the second one's join moves half the partitions to it, then the first is SIGKILLed
// and the second takes over everything. Each instance starts a partition it has no state for at
// the beginning of the topic and one it owned before at its own stored offset, so the changes of
// the killed instance's undelivered outbox are produced again, with the same event_ids. What the
// two published (deduplicated by event_id) and the survivor's final state must equal an offline
// `segctl replay`.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "core/common/partitioner.h"
#include "integration/admin/http_client.h"
#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int32_t kPartitions = 4;

// Waits until segd's log holds `needle` at least `times` times.
void wait_for_count(SegdProcess& segd,
                    std::string_view needle,
                    size_t times,
                    milliseconds timeout,
                    const std::string& who) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (occurrences(segd.log(), needle) < times) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << who << " did not log '" << needle << "' " << times << " times:\n"
        << segd.log();
    ASSERT_FALSE(segd.process.wait(milliseconds(50)).has_value()) << who << " exited early:\n"
                                                                  << segd.log();
  }
}

// The partitions of the assignment `log` names last (after its last revocation).
std::set<int32_t> owned_now(const std::string& log) {
  constexpr std::string_view kAssigned = "pipeline: assigned events/";
  const size_t revoked = log.rfind("pipeline: partitions revoked");
  std::set<int32_t> owned;
  for (size_t at = log.find(kAssigned, revoked == std::string::npos ? 0 : revoked);
       at != std::string::npos; at = log.find(kAssigned, at + 1)) {
    owned.insert(std::stoi(log.substr(at + kAssigned.size(), 3)));
  }
  return owned;
}

// The first customer of `input` on `partition` (of kPartitions), as murmur2 places it.
std::string customer_on(const std::vector<std::string>& lines, int32_t partition) {
  for (const std::string& line : lines) {
    if (auto id = json_field(line, "customer_id");
        id && core::partition_for_key(*id, kPartitions).value() == partition) {
      return *id;
    }
  }
  return {};
}

// Status of GET /v1/customers/<id> from the segd that logged `segd`'s admin port.
int customer_status(const SegdProcess& segd, const std::string& id) {
  auto r = http_fetch(admin_port(segd), "GET", "/v1/customers/" + id);
  return r ? r->status : 0;
}

// Per segment, the members among the customers of `export_text` (segctl export JSONL) that live
// on `partitions`.
std::map<std::string, int64_t> members_on(const std::string& export_text,
                                          const std::set<int32_t>& partitions) {
  std::map<std::string, int64_t> out;
  for (const std::string& line : split_lines(export_text)) {
    const auto id = json_field(line, "customer_id");
    if (!id || !partitions.contains(core::partition_for_key(*id, kPartitions).value())) {
      continue;
    }
    const size_t begin = line.find("\"segments\":[");
    const size_t end = line.find(']', begin);
    const std::string list = line.substr(begin, end - begin);
    for (size_t q = list.find('"', 12); q != std::string::npos; q = list.find('"', q + 1)) {
      const size_t close = list.find('"', q + 1);
      out[list.substr(q + 1, close - q - 1)] += 1;
      q = close;
    }
  }
  return out;
}

// Per segment with members, what the instance's GET /v1/segments reports.
std::map<std::string, int64_t> reported_members(const SegdProcess& segd) {
  std::map<std::string, int64_t> out;
  auto r = http_fetch(admin_port(segd), "GET", "/v1/segments");
  if (!r || r->status != 200) {
    return out;
  }
  for (size_t at = r->body.find("{"); at != std::string::npos; at = r->body.find("{", at + 1)) {
    const std::string entry = r->body.substr(at, r->body.find('}', at) - at + 1);
    const auto name = json_field(entry, "name");
    const auto members = json_field(entry, "members");
    if (name && members && std::stoll(*members) != 0) {
      out[*name] = std::stoll(*members);
    }
  }
  return out;
}

// Waits until the instance reports `want` as its segment sizes (they change at its commits).
void wait_for_members(const SegdProcess& segd,
                      const std::map<std::string, int64_t>& want,
                      const std::string& who) {
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  std::map<std::string, int64_t> got;
  while (std::chrono::steady_clock::now() < deadline) {
    got = reported_members(segd);
    if (got == want) {
      return;
    }
    std::this_thread::sleep_for(milliseconds(200));
  }
  ADD_FAILURE() << who << " reports other segment sizes than its partitions' members";
  for (const auto& [segment, n] : want) {
    ADD_FAILURE() << who << " " << segment << ": want " << n << ", got " << got[segment];
  }
}

void produce(const std::string& bootstrap, const std::string& chunk) {
  auto r = produce_file(bootstrap, "events", chunk);
  ASSERT_TRUE(r.has_value()) << chunk << ": " << r.error().message;
}

TEST(SegdDaemonTest, RebalancesMovePartitionsWithoutLoss) {
  const TempDir dir("rebalance");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 3000, .events = 30000, .seed = 31}, input).has_value());
  auto reference = make_reference(input, kPartitions, dir);
  ASSERT_TRUE(reference.has_value()) << reference.error().message;
  const std::vector<std::string> chunks = split_file(input, 4, dir);
  ASSERT_EQ(chunks.size(), 4u);

  auto broker = start_broker(1, topics_with(kPartitions));
  ASSERT_TRUE(broker.has_value());
  // Separate config dirs: write_segd_config names its file segd.yaml.
  const TempDir a_dir("rebalance-a");
  const TempDir b_dir("rebalance-b");
  const std::string b_state = b_dir.file("state");
  auto a_config = write_segd_config({.brokers = broker->bootstrap(),
                                     .state_dir = a_dir.file("state"),
                                     .input_topics = {"events"},
                                     .batch_max_events = 500},
                                    a_dir);
  auto b_config = write_segd_config({.brokers = broker->bootstrap(),
                                     .state_dir = b_state,
                                     .input_topics = {"events"},
                                     .batch_max_events = 500},
                                    b_dir);
  ASSERT_TRUE(a_config.has_value() && b_config.has_value());

  // A alone owns all four partitions.
  ASSERT_NO_FATAL_FAILURE(produce(broker->bootstrap(), chunks[0]));
  auto a = start_segd(*a_config, ExitMode::kOnSignal, a_dir.file("segd.log"));
  ASSERT_TRUE(a.has_value()) << a.error().message;
  ASSERT_NO_FATAL_FAILURE(wait_for_count(*a, "pipeline: assigned", 1, milliseconds(30000), "A"));
  ASSERT_NO_FATAL_FAILURE(produce(broker->bootstrap(), chunks[1]));

  // B joins: A commits and gives up its partitions, and the group splits them between the two.
  auto b = start_segd(*b_config, ExitMode::kOnSignal, b_dir.file("segd.log"));
  ASSERT_TRUE(b.has_value()) << b.error().message;
  ASSERT_NO_FATAL_FAILURE(wait_for_count(*b, "pipeline: assigned", 1, milliseconds(30000), "B"));
  ASSERT_NO_FATAL_FAILURE(
      wait_for_count(*a, "pipeline: partitions revoked", 1, milliseconds(5000), "A"));
  // Range assignment of 4 partitions to 2 members: each logs two partitions after the split.
  ASSERT_NO_FATAL_FAILURE(wait_for_count(*a, "pipeline: assigned", 4 + 2, milliseconds(5000), "A"));
  ASSERT_NO_FATAL_FAILURE(wait_for_count(*b, "pipeline: assigned", 2, milliseconds(5000), "B"));
  ASSERT_NO_FATAL_FAILURE(produce(broker->bootstrap(), chunks[2]));
  std::this_thread::sleep_for(seconds(2));
  // Each instance answers for its own partitions' customers only: the other's copy is stale.
  const std::vector<std::string> lines = split_lines(read_text(input));
  const std::set<int32_t> a_owns = owned_now(a->log());
  const std::set<int32_t> b_owns = owned_now(b->log());
  ASSERT_EQ(a_owns.size(), 2u);
  ASSERT_EQ(b_owns.size(), 2u);
  const std::string on_a = customer_on(lines, *a_owns.begin());
  const std::string on_b = customer_on(lines, *b_owns.begin());
  EXPECT_EQ(customer_status(*a, on_a), 200);
  EXPECT_EQ(customer_status(*a, on_b), 409);
  EXPECT_EQ(customer_status(*b, on_b), 200);
  EXPECT_EQ(customer_status(*b, on_a), 409);
  // Each reports the segment sizes of its own partitions (summed over the group, the whole).
  const TempDir prefix_dir("rebalance-prefix");
  const std::string prefix = prefix_dir.file("prefix.jsonl");
  ASSERT_TRUE(write_text(prefix, read_text(chunks[0]) + read_text(chunks[1]) + read_text(chunks[2]))
                  .has_value());
  auto so_far = make_reference(prefix, kPartitions, prefix_dir);
  ASSERT_TRUE(so_far.has_value()) << so_far.error().message;
  ASSERT_NO_FATAL_FAILURE(wait_for_members(*a, members_on(so_far->export_text, a_owns), "A"));
  ASSERT_NO_FATAL_FAILURE(wait_for_members(*b, members_on(so_far->export_text, b_owns), "B"));

  // A dies without a word: after the session timeout B owns all four.
  a->process.kill(SIGKILL);
  auto a_code = a->wait(milliseconds(10000));
  ASSERT_TRUE(a_code.has_value());
  EXPECT_EQ(*a_code, 128 + SIGKILL) << "A ended by itself:\n" << a->log();
  ASSERT_NO_FATAL_FAILURE(produce(broker->bootstrap(), chunks[3]));
  ASSERT_NO_FATAL_FAILURE(
      wait_for_count(*b, "pipeline: partitions revoked", 1, milliseconds(30000), "B"));
  ASSERT_NO_FATAL_FAILURE(
      wait_for_count(*b, "pipeline: assigned", 2 + 4, milliseconds(30000), "B"));

  // B alone delivers everything, A's undelivered changes included (it produces them again).
  EXPECT_EQ(
      wait_for_changes(broker->bootstrap(), kPartitions, reference->changes.size(), seconds(120)),
      reference->changes.size())
      << "distinct SegmentChanges once B owns every partition";
  b->process.kill(SIGTERM);
  auto b_code = b->wait(milliseconds(60000));
  ASSERT_TRUE(b_code.has_value()) << "B still running 60 s after SIGTERM:\n" << b->log();
  ASSERT_EQ(*b_code, 0) << b->log();
  for (const SegdProcess* p : {&*a, &*b}) {
    // Every line in segd's own format: librdkafka's go through its log too.
    for (const std::string& line : split_lines(p->log())) {
      EXPECT_FALSE(line.starts_with('%')) << "a line in librdkafka's own format: " << line;
    }
  }
  // What B consumed but had not finished (it changes nothing any more) is done by a run to the
  // end of the input from its state dir.
  auto rest = run_segd_to_end(*b_config, b_dir, "segd-rest.log", seconds(120));
  ASSERT_TRUE(rest.has_value()) << rest.error().code << ": " << rest.error().message;
  const TopicSummary& events = rest->topics["events"];
  EXPECT_EQ(events.consumed, events.processed + events.duplicates + events.dead_lettered_total());

  const std::string diff =
      compare_with_reference(*reference, broker->bootstrap(), kPartitions, b_state, dir);
  EXPECT_TRUE(diff.empty()) << diff;
}

}  // namespace
}  // namespace segd::test
