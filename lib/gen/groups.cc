#include "gen/groups.h"

#include "core/common/check.h"

namespace segd::gen {
namespace {

// clang-format off
constexpr std::array<GroupProfile, kGroupCount> kProfiles{{
    // name             share activ sess  p_buy p_ref qty taste                 gap  active   browse: pv  prod srch add  rem
    {"vip",             0.10, 3.0,  7.0,  0.55, 0.06, 3,  PriceTaste::kPremium, 50,  1.0, 1.0, {2.0, 5.0, 1.0, 2.5, 0.3}},
    {"regular",         0.35, 1.2,  4.0,  0.40, 0.04, 2,  PriceTaste::kNeutral, 45,  1.0, 1.0, {3.0, 5.0, 1.5, 1.2, 0.3}},
    {"bargain",         0.20, 1.6,  3.0,  0.65, 0.03, 1,  PriceTaste::kCheap,   30,  1.0, 1.0, {2.0, 4.0, 3.0, 1.5, 0.3}},
    {"window_shopper",  0.20, 1.4,  8.0,  0.01, 0.05, 1,  PriceTaste::kNeutral, 40,  1.0, 1.0, {3.0, 8.0, 2.0, 3.5, 1.5}},
    {"churned",         0.15, 1.0,  4.0,  0.50, 0.04, 2,  PriceTaste::kNeutral, 45,  0.2, 0.45, {3.0, 5.0, 1.5, 1.2, 0.3}},
}};
// clang-format on

}  // namespace

const GroupProfile& group_profile(Group group) {
  const auto index = static_cast<size_t>(group);
  CHECK(index < kProfiles.size());
  return kProfiles[index];
}

std::string_view group_name(Group group) { return group_profile(group).name; }

}  // namespace segd::gen
