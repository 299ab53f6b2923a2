#include "io/codec/segment_change_json.h"

#include <algorithm>
#include <string_view>

#include "core/common/time.h"
#include "core/features/feature_values.h"
#include "io/codec/json_writer.h"

namespace segd::io {
namespace {

void write_values(JsonWriter& w, const std::vector<core::DecidingValue>& values) {
  w.begin_object();
  for (const core::DecidingValue& v : values) {
    w.key(v.name);
    w.number(v.value);
  }
  w.end_object();
}

// The text around a SegmentChange's values, in order (kCauseEventId only when there is one).
constexpr std::string_view kEventId = R"({"event_id":)";
constexpr std::string_view kCustomerId = R"(,"customer_id":)";
constexpr std::string_view kSegment = R"(,"segment":)";
constexpr std::string_view kChange = R"(,"change":)";
constexpr std::string_view kAt = R"(,"at":")";
constexpr std::string_view kModelVersion = R"(","model_version":)";
constexpr std::string_view kCauseKind = R"(,"cause":{"kind":)";
constexpr std::string_view kCauseEventId = R"(,"event_id":)";
constexpr std::string_view kReason = R"(},"reason":)";
constexpr std::string_view kValues = R"(,"values":{)";
constexpr std::string_view kEnd = "}}";
constexpr size_t kTextBytes = kEventId.size() + kCustomerId.size() + kSegment.size() +
                              kChange.size() + kAt.size() + kModelVersion.size() +
                              kCauseKind.size() + kCauseEventId.size() + kReason.size() +
                              kValues.size() + kEnd.size();

}  // namespace

// A SegmentChange is written with its keys and punctuation as fixed text around the values,
// which go through the writer's own write_json_string() and write_json_number(): the bytes
// JsonWriter would write (SegmentChangeJsonTest compares the two), in 40% of the instructions.
// A replay writes one per membership change and segd's drainer one per change it publishes:
// through JsonWriter, 6% of a replay's instructions.
std::string encode_segment_change_json(const core::SegmentChange& c) {
  const std::string_view change = core::change_kind_name(c.change);
  const std::string_view cause = core::cause_kind_name(c.cause);
  size_t bound =
      kTextBytes + core::kRfc3339MaxBytes + kJsonNumberBound + json_string_bound(c.event_id) +
      json_string_bound(c.customer_id) + json_string_bound(c.segment) + json_string_bound(change) +
      json_string_bound(cause) + json_string_bound(c.cause_event_id) + json_string_bound(c.reason);
  for (const core::DecidingValue& v : c.values) {
    bound += 2 + json_string_bound(v.name) + kJsonNumberBound;  // a comma, a colon
  }
  std::string out;
  append_written(out, bound, [&](char* p) {
    const auto put = [&p](std::string_view text) { p = std::copy(text.begin(), text.end(), p); };
    put(kEventId);
    p = write_json_string(p, c.event_id);
    put(kCustomerId);
    p = write_json_string(p, c.customer_id);
    put(kSegment);
    p = write_json_string(p, c.segment);
    put(kChange);
    p = write_json_string(p, change);
    put(kAt);
    p = core::format_rfc3339_to(p, c.at);  // Digits and `-:.TZ`: nothing to escape.
    put(kModelVersion);
    p = write_json_number(p, c.model_version);
    put(kCauseKind);
    p = write_json_string(p, cause);
    if (!c.cause_event_id.empty()) {
      put(kCauseEventId);
      p = write_json_string(p, c.cause_event_id);
    }
    put(kReason);
    p = write_json_string(p, c.reason);
    put(kValues);
    for (size_t i = 0; i < c.values.size(); ++i) {
      if (i > 0) {
        *p++ = ',';
      }
      p = write_json_string(p, c.values[i].name);
      *p++ = ':';
      p = write_json_number(p, c.values[i].value);
    }
    put(kEnd);
    return p;
  });
  return out;
}

std::string encode_customer_json(const core::CustomerState& state,
                                 const core::FeatureVector& features,
                                 const core::ScoreVector& scores,
                                 const std::optional<std::vector<core::SegmentChange>>& explain) {
  JsonWriter w;
  w.begin_object();
  w.key("customer_id"_key);
  w.string(state.customer_id);
  w.key("features"_key);
  w.begin_object();
  for (size_t i = 0; i < core::kFeatureCount; ++i) {
    w.key(core::feature_info(static_cast<core::FeatureId>(i)).name);
    w.number(features[i]);
  }
  w.key("affinity"_key);
  w.begin_object();
  for (const core::CategoryScore& c : state.categories) {
    w.key(c.category);
    w.number(core::affinity(state, c.category));
  }
  w.end_object();
  w.end_object();
  w.key("segments"_key);
  w.begin_array();
  for (const std::string& s : state.segments) {
    w.string(s);
  }
  w.end_array();
  w.key("scores"_key);
  w.begin_object();
  for (size_t i = 0; i < core::kScoreCount; ++i) {
    w.key(core::score_name(static_cast<core::ScoreId>(i)));
    w.number(scores[i]);
  }
  w.end_object();
  if (explain) {
    w.key("explain"_key);
    w.begin_object();
    for (const core::SegmentChange& why : *explain) {
      w.key(why.segment);
      w.begin_object();
      w.key("rule"_key);
      w.string(why.reason);
      w.key("values"_key);
      write_values(w, why.values);
      w.end_object();
    }
    w.end_object();
  }
  w.end_object();
  return w.take();
}

}  // namespace segd::io
