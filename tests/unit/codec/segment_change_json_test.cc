#include "io/codec/segment_change_json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/common/time.h"
#include "io/codec/json_writer.h"

namespace segd::io {
namespace {

using core::CauseKind;
using core::ChangeKind;
using core::DecidingValue;
using core::SegmentChange;
using core::TimestampMs;

// The README's SegmentChange written through JsonWriter, key by key: what
// encode_segment_change_json() writes with its fixed text must be these bytes.
std::string through_json_writer(const SegmentChange& c) {
  JsonWriter w;
  w.begin_object();
  w.key("event_id");
  w.string(c.event_id);
  w.key("customer_id");
  w.string(c.customer_id);
  w.key("segment");
  w.string(c.segment);
  w.key("change");
  w.string(core::change_kind_name(c.change));
  w.key("at");
  w.string(core::format_rfc3339(c.at));
  w.key("model_version");
  w.number(c.model_version);
  w.key("cause");
  w.begin_object();
  w.key("kind");
  w.string(core::cause_kind_name(c.cause));
  if (!c.cause_event_id.empty()) {
    w.key("event_id");
    w.string(c.cause_event_id);
  }
  w.end_object();
  w.key("reason");
  w.string(c.reason);
  w.key("values");
  w.begin_object();
  for (const DecidingValue& v : c.values) {
    w.key(v.name);
    w.number(v.value);
  }
  w.end_object();
  w.end_object();
  return w.take();
}

SegmentChange typical() {
  SegmentChange c;
  c.event_id = "c039112/new_buyer/4";
  c.customer_id = "c039112";
  c.segment = "new_buyer";
  c.change = ChangeKind::kEnter;
  c.at = TimestampMs{1'767'225'666'709};
  c.model_version = 0;
  c.cause = CauseKind::kEvent;
  c.cause_event_id = "e39112-4";
  c.reason = "orders_total == 1 && days_since_last_purchase < 7";
  c.values = {{"days_since_last_purchase", 0.0}, {"orders_total", 1.0}};
  return c;
}

TEST(SegmentChangeJsonTest, WritesTheReadmesFormat) {
  EXPECT_EQ(encode_segment_change_json(typical()),
            R"({"event_id":"c039112/new_buyer/4","customer_id":"c039112","segment":"new_buyer",)"
            R"("change":"enter","at":"2026-01-01T00:01:06.709Z","model_version":0,)"
            R"("cause":{"kind":"event","event_id":"e39112-4"},)"
            R"("reason":"orders_total == 1 && days_since_last_purchase < 7",)"
            R"("values":{"days_since_last_purchase":0,"orders_total":1}})");
}

TEST(SegmentChangeJsonTest, TimerChangesHaveNoCauseEventId) {
  SegmentChange c = typical();
  c.change = ChangeKind::kExit;
  c.cause = CauseKind::kTimer;
  c.cause_event_id.clear();
  c.at = TimestampMs{1'767'225'600'000};
  c.reason = "!(orders_total == 1 && days_since_last_purchase < 7)";
  c.values = {{"days_since_last_purchase", 7.0}};
  EXPECT_EQ(encode_segment_change_json(c),
            R"j({"event_id":"c039112/new_buyer/4","customer_id":"c039112","segment":"new_buyer",)j"
            R"j("change":"exit","at":"2026-01-01T00:00:00Z","model_version":0,)j"
            R"j("cause":{"kind":"timer"},"reason":"!(orders_total == 1 && )j"
            R"j(days_since_last_purchase < 7)","values":{"days_since_last_purchase":7}})j");
}

// Every string escaped or replaced, numbers of every form, no values, many values, the longest
// times and model versions: the same bytes as JsonWriter's, within the size reserved for them.
TEST(SegmentChangeJsonTest, WritesWhatJsonWriterWrites) {
  const std::vector<std::string> texts = {
      "",
      "plain",
      "quote \" and backslash \\",
      std::string("controls \x01\x1f\n\t\0 end", 18),
      "Gr\xC3\xBC\xC3\x9F \xE2\x82\xAC",
      "invalid \xFF\xC3 bytes",
      std::string(300, '\x01'),
      "long " + std::string(1000, 'x'),
  };
  const std::vector<double> numbers = {0.0,
                                       -0.0,
                                       1.0,
                                       -3.0,
                                       99999.0,
                                       100000.0,
                                       0.1 + 0.2,
                                       -1.5e-7,
                                       1e21,
                                       std::numeric_limits<double>::max(),
                                       std::numeric_limits<double>::lowest(),
                                       std::numeric_limits<double>::denorm_min(),
                                       std::numeric_limits<double>::quiet_NaN(),
                                       std::numeric_limits<double>::infinity(),
                                       -std::numeric_limits<double>::infinity()};
  int checked = 0;
  for (size_t t = 0; t < texts.size(); ++t) {
    const std::string& text = texts[t];
    SegmentChange c = typical();
    c.event_id = text;
    c.customer_id = texts[(t + 1) % texts.size()];
    c.segment = texts[(t + 2) % texts.size()];
    c.cause_event_id = texts[(t + 3) % texts.size()];
    c.reason = texts[(t + 4) % texts.size()];
    c.model_version =
        t % 2 == 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
    c.at = TimestampMs{t % 2 == 0 ? int64_t{-8'000'000'000'000'000'123}
                                  : int64_t{253'402'300'800'001}};
    c.cause = t % 3 == 0 ? CauseKind::kModel : CauseKind::kErasure;
    c.values.clear();
    ASSERT_EQ(encode_segment_change_json(c), through_json_writer(c)) << t;
    for (const double v : numbers) {
      c.values.push_back({texts[(t + c.values.size()) % texts.size()], v});
      ASSERT_EQ(encode_segment_change_json(c), through_json_writer(c)) << t << " " << v;
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(texts.size() * numbers.size()));
}

}  // namespace
}  // namespace segd::io
