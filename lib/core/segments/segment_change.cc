#include "core/segments/segment_change.h"

namespace segd::core {

std::string_view change_kind_name(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kEnter:
      return "enter";
    case ChangeKind::kExit:
      return "exit";
  }
  return "enter";
}

std::string_view cause_kind_name(CauseKind kind) {
  switch (kind) {
    case CauseKind::kEvent:
      return "event";
    case CauseKind::kTimer:
      return "timer";
    case CauseKind::kModel:
      return "model";
    case CauseKind::kErasure:
      return "erasure";
  }
  return "event";
}

std::string change_event_id(std::string_view customer_id,
                            std::string_view segment,
                            int64_t incarnation,
                            int64_t version) {
  std::string id;
  id.reserve(customer_id.size() + segment.size() + 24);
  id.append(customer_id).append("/").append(segment).append("/");
  if (incarnation != 0) {
    id.append(std::to_string(incarnation)).append(".");
  }
  id.append(std::to_string(version));
  return id;
}

}  // namespace segd::core
