#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gen/rng.h"

namespace segd::gen {

inline constexpr int kCategoryCount = 12;
inline constexpr int32_t kProductsPerCategory = 400;
/// Zipf exponent of product popularity inside a category.
inline constexpr double kProductZipfExponent = 1.05;

/// `electronics`, `shoes`, `apparel`, ... (kCategoryCount names).
[[nodiscard]] std::string_view category_name(int category);

/// A fixed product catalog: kCategoryCount x kProductsPerCategory products, product id
/// `category * kProductsPerCategory + rank`, where rank 0 is the most popular. Prices are
/// log-normal around a per-category base and do not depend on the seed. Immutable after
/// construction, so one instance can be shared.
class Catalog {
 public:
  Catalog();

  /// The category of a product id.
  [[nodiscard]] static int category_of(int32_t product);
  /// The product's fixed price in cents (>= 99).
  [[nodiscard]] int64_t price_cents(int32_t product) const;
  /// A Zipf-popular product of `category`.
  [[nodiscard]] int32_t sample_product(Rng& rng, int category) const;
  /// A search query for `category`: a term, sometimes with a modifier (`sneakers sale`).
  [[nodiscard]] std::string sample_query(Rng& rng, int category) const;

 private:
  std::vector<int64_t> prices_;
  ZipfTable popularity_;
};

}  // namespace segd::gen
