#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/time.h"

namespace segd::core {

enum class ChangeKind : uint8_t { kEnter, kExit };
/// Why a membership changed: an input event, stream time passing a timer, a new model version,
/// or a GDPR erasure.
enum class CauseKind : uint8_t { kEvent, kTimer, kModel, kErasure };

/// `enter` / `exit`.
[[nodiscard]] std::string_view change_kind_name(ChangeKind kind);
/// `event` / `timer` / `model` / `erasure`.
[[nodiscard]] std::string_view cause_kind_name(CauseKind kind);

/// A feature or score value that the deciding rule read.
struct DecidingValue {
  std::string name;
  double value = 0.0;

  bool operator==(const DecidingValue&) const = default;
};

/// The `event_id` of a change of `customer_id`'s membership in `segment` made at state `version`:
/// `<customer_id>/<segment>/<version>`, or `<customer_id>/<segment>/<incarnation>.<version>` for
/// a state that began after erasures in its partition (CustomerState::incarnation), so that a
/// customer seen again after an erasure never repeats the ids of its erased predecessor.
[[nodiscard]] std::string change_event_id(std::string_view customer_id,
                                          std::string_view segment,
                                          int64_t incarnation,
                                          int64_t version);

/// One segment enter or exit, as published to the segment-changes topic.
/// `event_id` (change_event_id()) is deterministic, so consumers can drop the duplicates that
/// at-least-once delivery may produce.
struct SegmentChange {
  std::string event_id;
  std::string customer_id;
  std::string segment;
  ChangeKind change = ChangeKind::kEnter;
  TimestampMs at;
  int64_t model_version = 0;
  CauseKind cause = CauseKind::kEvent;
  std::string cause_event_id;  ///< The input event's id when cause is kEvent (may be empty).
  std::string reason;          ///< The source text of the rule that decided.
  std::vector<DecidingValue> values;

  bool operator==(const SegmentChange&) const = default;
};

}  // namespace segd::core
