#include "io/codec/segment_change_json.h"

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

}  // namespace

std::string encode_segment_change_json(const core::SegmentChange& c) {
  JsonWriter w;
  w.begin_object();
  w.key("event_id"_key);
  w.string(c.event_id);
  w.key("customer_id"_key);
  w.string(c.customer_id);
  w.key("segment"_key);
  w.string(c.segment);
  w.key("change"_key);
  w.string(core::change_kind_name(c.change));
  w.key("at"_key);
  w.string(core::format_rfc3339(c.at));
  w.key("model_version"_key);
  w.number(c.model_version);
  w.key("cause"_key);
  w.begin_object();
  w.key("kind"_key);
  w.string(core::cause_kind_name(c.cause));
  if (!c.cause_event_id.empty()) {
    w.key("event_id"_key);
    w.string(c.cause_event_id);
  }
  w.end_object();
  w.key("reason"_key);
  w.string(c.reason);
  w.key("values"_key);
  write_values(w, c.values);
  w.end_object();
  return w.take();
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
