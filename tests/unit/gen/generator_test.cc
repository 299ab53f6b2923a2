#include "gen/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "core/common/time.h"
#include "gen/customer.h"
#include "mini_json.h"

namespace segd::gen {
namespace {

using testing::JsonValue;
using testing::parse_json;

constexpr int64_t kStart = 1767225600000;  // 2026-01-01T00:00:00Z

GenConfig small_config(uint64_t seed = 42) {
  return GenConfig{.customers = 60,
                   .events = 1500,
                   .seed = seed,
                   .start = core::TimestampMs{kStart},
                   .days = 14,
                   .bad_rate = 0.05};
}

struct Output {
  GenSummary summary;
  std::string text;
};

Output run(const GenConfig& config) {
  std::ostringstream out;
  auto summary = generate(config, out);
  EXPECT_TRUE(summary.has_value()) << (summary ? "" : summary.error().message);
  return {summary.value_or(GenSummary{}), out.str()};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

std::optional<core::EventType> kind_from(std::string_view type) {
  for (int k = 0; k < core::kEventTypeCount; ++k) {
    if (core::event_type_name(static_cast<core::EventType>(k)) == type) {
      return static_cast<core::EventType>(k);
    }
  }
  return std::nullopt;
}

std::optional<int64_t> ts_of(const JsonValue& v) {
  if (v.kind == JsonValue::Kind::kNumber && v.integral) {
    return static_cast<int64_t>(v.number);
  }
  if (v.kind == JsonValue::Kind::kString) {
    if (auto ts = core::parse_rfc3339(v.text)) {
      return ts->value();
    }
  }
  return std::nullopt;
}

/// A parsed good line, or the bad kind a consumer would classify the line as.
struct Classified {
  std::optional<BadKind> bad;
  JsonValue json;
  int64_t ts = 0;
};

Classified classify(const std::string& line) {
  Classified c;
  auto json = parse_json(line);
  if (!json || json->kind != JsonValue::Kind::kObject) {
    c.bad = BadKind::kInvalidJson;
    return c;
  }
  const JsonValue* type = json->find("type");
  const JsonValue* amount = json->find("amount");
  const JsonValue* ts = json->find("ts");
  if (line.size() + 1 > 64 * 1024) {
    c.bad = BadKind::kOversized;
  } else if (json->find("customer_id") == nullptr) {
    c.bad = BadKind::kMissingCustomerId;
  } else if (ts == nullptr || !ts_of(*ts)) {
    c.bad = BadKind::kBadTimestamp;
  } else if (type == nullptr || !kind_from(type->text)) {
    c.bad = BadKind::kUnknownType;
  } else if (type->text == "purchase" && amount != nullptr && amount->number < 0) {
    c.bad = BadKind::kNegativeAmount;
  } else {
    c.ts = *ts_of(*ts);
  }
  c.json = std::move(*json);
  return c;
}

TEST(GeneratorTest, SameSeedGivesIdenticalBytes) {
  const Output a = run(small_config());
  const Output b = run(small_config());
  EXPECT_FALSE(a.text.empty());
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.summary, b.summary);
}

TEST(GeneratorTest, DifferentSeedGivesDifferentBytes) {
  EXPECT_NE(run(small_config(1)).text, run(small_config(2)).text);
}

TEST(GeneratorTest, WritesExactlyEventsLines) {
  for (const auto& [customers, events, bad_rate] :
       std::vector<std::tuple<int64_t, int64_t, double>>{
           {1, 0, 0.0}, {1, 1, 0.0}, {50, 7, 0.0}, {3, 999, 0.0}, {40, 800, 1.0}}) {
    GenConfig config = small_config();
    config.customers = customers;
    config.events = events;
    config.bad_rate = bad_rate;
    const Output out = run(config);
    EXPECT_EQ(static_cast<int64_t>(lines_of(out.text).size()), events) << customers;
    EXPECT_EQ(out.summary.lines, events);
    EXPECT_EQ(std::count(out.text.begin(), out.text.end(), '\n'), events);
    if (bad_rate == 1.0) {
      EXPECT_EQ(out.summary.bad_total(), events);
    }
  }
}

TEST(GeneratorTest, BadLinesMatchTheSummaryByKind) {
  const Output out = run(small_config());
  std::array<int64_t, kBadKindCount> seen{};
  std::array<int64_t, core::kEventTypeCount> good{};
  for (const std::string& line : lines_of(out.text)) {
    const Classified c = classify(line);
    if (c.bad) {
      ++seen[static_cast<size_t>(*c.bad)];
    } else {
      ++good[static_cast<size_t>(*kind_from(c.json.find("type")->text))];
    }
  }
  EXPECT_EQ(seen, out.summary.bad_by_kind);
  for (int64_t n : seen) {
    EXPECT_GT(n, 0);
  }
  int64_t good_total = 0;
  for (int k = 0; k < core::kEventTypeCount; ++k) {
    // Duplicates repeat a valid event, so each type has at least the summary's count.
    EXPECT_GE(good[static_cast<size_t>(k)], out.summary.events_by_type[static_cast<size_t>(k)]);
    good_total += good[static_cast<size_t>(k)];
  }
  EXPECT_EQ(good_total + out.summary.bad_total(), out.summary.lines);
  int64_t summary_good = out.summary.duplicates;
  for (int64_t n : out.summary.events_by_type) {
    summary_good += n;
  }
  EXPECT_EQ(good_total, summary_good);
}

TEST(GeneratorTest, OutputIsTimeOrderedExceptLateAndDuplicateLines) {
  GenConfig config = small_config();
  config.events = 4000;
  const Output out = run(config);
  const int64_t end = kStart + config.days * core::kMsPerDay;
  int64_t max_ts = 0;
  int64_t behind = 0;
  for (const std::string& line : lines_of(out.text)) {
    const Classified c = classify(line);
    if (c.bad) {
      continue;
    }
    EXPECT_GE(c.ts, kStart);
    EXPECT_LT(c.ts, end);
    if (c.ts < max_ts) {
      ++behind;
      EXPECT_LE(max_ts - c.ts, 30 * core::kMsPerMinute) << line;
    }
    max_ts = std::max(max_ts, c.ts);
  }
  EXPECT_GT(out.summary.late, 0);
  EXPECT_LE(behind, out.summary.late + out.summary.duplicates);
}

TEST(GeneratorTest, EachCustomersEventsHaveDistinctIncreasingTimes) {
  const Output out = run(small_config());
  std::map<std::string, std::vector<int64_t>> times;
  std::set<std::string> seen_ids;
  for (const std::string& line : lines_of(out.text)) {
    const Classified c = classify(line);
    if (c.bad) {
      continue;
    }
    const JsonValue* order = c.json.find("order_id");
    const bool purchase = c.json.find("type")->text == "purchase";
    const std::string id = purchase ? order->text : c.json.find("event_id")->text;
    if (!seen_ids.insert(id).second) {
      continue;  // a documented duplicate
    }
    times[c.json.find("customer_id")->text].push_back(c.ts);
  }
  for (auto& [customer, ts] : times) {
    std::sort(ts.begin(), ts.end());
    EXPECT_EQ(std::adjacent_find(ts.begin(), ts.end()), ts.end()) << customer;
  }
}

// A session that started too late for its events ran past the end of the period, and its events
// were packed into the period's last milliseconds: with 300 customers and 20000 events in a day,
// 168 events fell in the day's last second (0.23 a second on average).
TEST(GeneratorTest, EventsAreNotPackedAtTheEndOfThePeriod) {
  const GenConfig config{.customers = 300,
                         .events = 20000,
                         .seed = 5,
                         .start = core::TimestampMs{kStart},
                         .days = 1,
                         .bad_rate = 0.0};
  const Output out = run(config);
  const int64_t end = kStart + core::kMsPerDay;
  int64_t last_second = 0;
  int64_t last_hour = 0;
  for (const std::string& line : lines_of(out.text)) {
    const Classified c = classify(line);
    ASSERT_FALSE(c.bad.has_value()) << line;
    last_second += c.ts >= end - core::kMsPerSecond ? 1 : 0;
    last_hour += c.ts >= end - core::kMsPerHour ? 1 : 0;
  }
  EXPECT_LE(last_second, 5);
  EXPECT_LE(last_hour, 20000 / 24 * 2);  // 833 an hour on average
}

TEST(GeneratorTest, RefundsReferenceAnEarlierOrderOfTheSameCustomer) {
  GenConfig config = small_config();
  config.events = 5000;
  config.bad_rate = 0.0;
  const Output out = run(config);
  std::map<std::string, std::pair<std::string, double>> orders;
  int refunds = 0;
  for (const std::string& line : lines_of(out.text)) {
    const Classified c = classify(line);
    ASSERT_FALSE(c.bad) << line;
    const std::string& type = c.json.find("type")->text;
    if (type != "purchase" && type != "refund") {
      continue;
    }
    const std::string& customer = c.json.find("customer_id")->text;
    const std::string& order = c.json.find("order_id")->text;
    const double amount = c.json.find("amount")->number;
    double items_total = 0.0;
    for (const JsonValue& item : c.json.find("items")->values) {
      items_total += item.find("quantity")->number * item.find("price")->number;
    }
    EXPECT_NEAR(items_total, amount, 1e-6) << line;
    if (type == "purchase") {
      orders.emplace(order, std::make_pair(customer, amount));
      continue;
    }
    ++refunds;
    ASSERT_TRUE(orders.contains(order)) << line;
    EXPECT_EQ(orders[order].first, customer);
    EXPECT_LE(amount, orders[order].second + 1e-9);
  }
  EXPECT_GT(refunds, 0);
}

TEST(GeneratorTest, GroupProportionsAreFixed) {
  GenConfig config = small_config();
  config.customers = 1000;
  config.events = 0;
  const Output out = run(config);
  const std::array<int64_t, kGroupCount> expected{100, 350, 200, 200, 150};
  EXPECT_EQ(out.summary.customers_by_group, expected);
  ASSERT_EQ(out.summary.truth.size(), 1000u);
  EXPECT_TRUE(std::is_sorted(out.summary.truth.begin(), out.summary.truth.end()));
  EXPECT_EQ(out.summary.truth.front().first, "c0001");
  std::map<std::string, int64_t> by_name;
  for (const auto& [customer, group] : out.summary.truth) {
    ++by_name[group];
  }
  EXPECT_EQ(by_name["vip"], 100);
  EXPECT_EQ(by_name["window_shopper"], 200);
}

/// Per-group means of the RFM-style features the clustering uses.
struct GroupStats {
  double customers = 0;
  double orders = 0;
  double money = 0;
  double views = 0;
  double carts = 0;
  int64_t last_purchase = 0;  // latest purchase time over the group's customers
};

TEST(GeneratorTest, PlantedGroupsAreSeparatedInBehaviour) {
  const GenConfig config{.customers = 300,
                         .events = 9000,
                         .seed = 9,
                         .start = core::TimestampMs{kStart},
                         .days = 30,
                         .bad_rate = 0.0};
  const Output out = run(config);
  std::map<std::string, std::string> group_of(out.summary.truth.begin(), out.summary.truth.end());
  std::map<std::string, GroupStats> stats;
  for (const auto& [customer, group] : out.summary.truth) {
    stats[group].customers += 1;
  }
  for (const std::string& line : lines_of(out.text)) {
    const Classified c = classify(line);
    GroupStats& s = stats[group_of[c.json.find("customer_id")->text]];
    const std::string& type = c.json.find("type")->text;
    if (type == "purchase") {
      s.orders += 1;
      s.money += c.json.find("amount")->number;
      s.last_purchase = std::max(s.last_purchase, c.ts);
    } else if (type == "product_view") {
      s.views += 1;
    } else if (type == "add_to_cart") {
      s.carts += 1;
    }
  }
  auto aov = [&](const std::string& g) { return stats[g].money / stats[g].orders; };
  auto per_customer = [&](const std::string& g, double GroupStats::*field) {
    return stats[g].*field / stats[g].customers;
  };
  EXPECT_GT(aov("vip"), 2 * aov("regular"));
  EXPECT_LT(1.5 * aov("bargain"), aov("regular"));
  EXPECT_GT(per_customer("bargain", &GroupStats::orders),
            1.5 * per_customer("regular", &GroupStats::orders));
  EXPECT_LT(10 * per_customer("window_shopper", &GroupStats::orders),
            per_customer("regular", &GroupStats::orders));
  EXPECT_GT(per_customer("window_shopper", &GroupStats::carts),
            per_customer("regular", &GroupStats::carts));
  // Churners stop within the first 45% of the period (or their first day).
  EXPECT_LT(stats["churned"].last_purchase, kStart + 14 * core::kMsPerDay);
  EXPECT_GT(stats["regular"].last_purchase, kStart + 25 * core::kMsPerDay);
}

TEST(GeneratorTest, RejectsInvalidConfigNamingTheField) {
  const std::vector<std::pair<GenConfig, std::string>> cases = [] {
    std::vector<std::pair<GenConfig, std::string>> out;
    GenConfig c = small_config();
    c.customers = 0;
    out.emplace_back(c, "customers");
    c = small_config();
    c.events = -1;
    out.emplace_back(c, "events");
    c = small_config();
    c.days = 0;
    out.emplace_back(c, "days");
    c = small_config();
    c.bad_rate = 1.5;
    out.emplace_back(c, "bad_rate");
    c.bad_rate = std::nan("");
    out.emplace_back(c, "bad_rate");
    c = small_config();
    c.customers = 1;
    c.days = 1;
    c.events = core::kMsPerDay / kMinEventStepMs + 1;  // more than fit 3 s apart in the day
    out.emplace_back(c, "events");
    return out;
  }();
  for (const auto& [config, field] : cases) {
    std::ostringstream out;
    auto result = generate(config, out);
    ASSERT_FALSE(result.has_value()) << field;
    EXPECT_EQ(result.error().code, "invalid_config");
    EXPECT_NE(result.error().message.find(field), std::string::npos) << result.error().message;
    EXPECT_TRUE(out.str().empty());
  }
  EXPECT_TRUE(validate_config(small_config()).has_value());
}

TEST(GeneratorTest, RejectsConfigAboveTheUpperBounds) {
  // 99999999999999 customers ended in std::bad_alloc.
  GenConfig config = small_config();
  config.customers = kMaxCustomers + 1;
  auto too_many = validate_config(config);
  ASSERT_FALSE(too_many.has_value());
  EXPECT_EQ(too_many.error().message, "customers must be from 1 to 100000000");
  config = small_config();
  config.days = kMaxDays + 1;
  auto too_long = validate_config(config);
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().message, "days must be from 1 to 36500");
  config.customers = kMaxCustomers;
  config.days = kMaxDays;
  EXPECT_TRUE(validate_config(config).has_value());
}

TEST(GeneratorTest, HandlesAStartBeforeTheEpoch) {
  GenConfig config = small_config();
  config.start = core::TimestampMs{-3 * core::kMsPerDay};
  config.days = 2;
  config.bad_rate = 0.0;
  const Output out = run(config);
  for (const std::string& line : lines_of(out.text)) {
    const Classified c = classify(line);
    ASSERT_FALSE(c.bad) << line;
    EXPECT_GE(c.ts, -3 * core::kMsPerDay);
    EXPECT_LT(c.ts, -core::kMsPerDay);
  }
}

TEST(GeneratorTest, WritesTruthCsv) {
  GenConfig config = small_config();
  config.customers = 3;
  config.events = 0;
  const Output out = run(config);
  std::ostringstream csv;
  ASSERT_TRUE(write_truth_csv(out.summary, csv).has_value());
  std::string expected = "customer_id,group\n";
  for (const auto& [customer, group] : out.summary.truth) {
    expected += customer + "," + group + "\n";
  }
  EXPECT_EQ(csv.str(), expected);
  EXPECT_EQ(lines_of(csv.str()).size(), 4u);
  EXPECT_EQ(out.summary.truth[0].first, "c1");
}

}  // namespace
}  // namespace segd::gen
