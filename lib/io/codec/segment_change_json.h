#pragma once

#include <optional>
#include <string>

#include "core/features/customer_state.h"
#include "core/features/feature_catalog.h"
#include "core/segments/scores.h"
#include "core/segments/segment_change.h"

namespace segd::io {

/// The SegmentChange JSON of the README ("Output: SegmentChange"), one compact line, no newline.
/// Undefined values (NaN) are written as null.
[[nodiscard]] std::string encode_segment_change_json(const core::SegmentChange& change);

/// The `segctl inspect` / `export` object: customer_id, features, segments, scores, and
/// `explain` (why the customer is in each segment of the rules, `{}` for none) when given.
[[nodiscard]] std::string encode_customer_json(
    const core::CustomerState& state,
    const core::FeatureVector& features,
    const core::ScoreVector& scores,
    const std::optional<std::vector<core::SegmentChange>>& explain);

}  // namespace segd::io
