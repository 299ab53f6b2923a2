#include "gen/gen_event.h"

#include <array>

#include "core/common/check.h"

namespace segd::gen {

std::string_view bad_kind_name(BadKind kind) {
  static constexpr std::array<std::string_view, kBadKindCount> kNames{
      "invalid_json", "missing_customer_id", "bad_timestamp",
      "unknown_type", "negative_amount",     "oversized"};
  const auto index = static_cast<size_t>(kind);
  CHECK(index < kNames.size());
  return kNames[index];
}

}  // namespace segd::gen
