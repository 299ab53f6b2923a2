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

}  // namespace segd::core
