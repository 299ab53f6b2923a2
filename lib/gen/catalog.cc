#include "gen/catalog.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/common/check.h"
#include "gen/det_math.h"

namespace segd::gen {
namespace {

struct CategoryInfo {
  std::string_view name;
  double base_price;  // median price in currency units
  std::array<std::string_view, 4> terms;
};

constexpr std::array<CategoryInfo, kCategoryCount> kCategories{{
    {"electronics", 180.0, {"headphones", "laptop", "phone case", "charger"}},
    {"shoes", 75.0, {"running shoes", "sneakers", "boots", "sandals"}},
    {"apparel", 40.0, {"t-shirt", "jeans", "jacket", "dress"}},
    {"home", 55.0, {"lamp", "cushion", "rug", "kettle"}},
    {"beauty", 22.0, {"shampoo", "lipstick", "face cream", "perfume"}},
    {"books", 16.0, {"novel", "cookbook", "thriller", "atlas"}},
    {"toys", 28.0, {"lego", "puzzle", "doll", "board game"}},
    {"sports", 50.0, {"yoga mat", "dumbbells", "tent", "bike helmet"}},
    {"grocery", 7.0, {"coffee", "olive oil", "tea", "chocolate"}},
    {"garden", 32.0, {"seeds", "hose", "planter", "shears"}},
    {"jewelry", 140.0, {"ring", "necklace", "watch", "earrings"}},
    {"pets", 18.0, {"dog food", "cat toy", "leash", "litter"}},
}};

constexpr std::array<std::string_view, 5> kModifiers{"cheap", "best", "sale", "new", "gift"};

// Log-normal price spread inside a category (sigma of the log).
constexpr double kPriceSigma = 0.5;
// Salt for the catalog's own random stream, independent of the run's seed.
constexpr uint64_t kCatalogSalt = 0x5e9d'ca7a'1095'0001ULL;

}  // namespace

std::string_view category_name(int category) {
  CHECK(category >= 0 && category < kCategoryCount);
  return kCategories[static_cast<size_t>(category)].name;
}

Catalog::Catalog() : popularity_(kProductsPerCategory, kProductZipfExponent) {
  Rng rng(kCatalogSalt);
  prices_.reserve(static_cast<size_t>(kCategoryCount) * kProductsPerCategory);
  for (const CategoryInfo& info : kCategories) {
    for (int32_t i = 0; i < kProductsPerCategory; ++i) {
      const double price = info.base_price * det_exp(kPriceSigma * rng.normal());
      prices_.push_back(std::max<int64_t>(99, std::llround(price * 100.0)));
    }
  }
}

int Catalog::category_of(int32_t product) { return product / kProductsPerCategory; }

int64_t Catalog::price_cents(int32_t product) const {
  CHECK(product >= 0 && static_cast<size_t>(product) < prices_.size());
  return prices_[static_cast<size_t>(product)];
}

int32_t Catalog::sample_product(Rng& rng, int category) const {
  CHECK(category >= 0 && category < kCategoryCount);
  return category * kProductsPerCategory + static_cast<int32_t>(popularity_.sample(rng));
}

std::string Catalog::sample_query(Rng& rng, int category) const {
  const CategoryInfo& info = kCategories[static_cast<size_t>(category)];
  std::string query(info.terms[static_cast<size_t>(rng.uniform_int(0, 3))]);
  if (rng.chance(0.4)) {
    query += ' ';
    query += kModifiers[static_cast<size_t>(rng.uniform_int(0, kModifiers.size() - 1))];
  }
  return query;
}

}  // namespace segd::gen
