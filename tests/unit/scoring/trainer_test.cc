#include "core/scoring/trainer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/models/standardizer.h"
#include "core/scoring/cluster_features.h"
#include "core/scoring/synthetic_customers.h"
#include "io/state/model_codec.h"
#include "support/builders.h"

namespace segd::core::scoring {
namespace {

const TimestampMs kAsOf = testing::at_day(400);

TEST(TrainerTest, SameInputGivesIdenticalBytes) {
  const auto customers = synthetic_customers(1000, 5, kAsOf);
  auto a = train(customers, kAsOf, TrainOptions{}, nullptr);
  auto b = train(customers, kAsOf, TrainOptions{}, nullptr);
  ASSERT_TRUE(a.has_value()) << a.error().message;
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(io::encode_model_snapshot(*a), io::encode_model_snapshot(*b));
  EXPECT_EQ(a->version, 1);
  EXPECT_EQ(a->active_from_ms, kAsOf.value());
  EXPECT_EQ(a->centroids.size(), kDefaultClusters);
  EXPECT_EQ(a->standardizer.mean.size(), kClusterDim);
  EXPECT_TRUE(models::validate_snapshot(*a).has_value());
  EXPECT_GT(a->diagnostics.bgnbd_n, 700);
  EXPECT_GT(a->diagnostics.gamma_gamma_n, 50);
}

TEST(TrainerTest, RecoversTheSimulatedBgNbdParametersRoughly) {
  // The simulator uses r 0.243, alpha 30.9 days, a 0.793, b 2.426.
  const auto customers = synthetic_customers(3000, 9, kAsOf);
  auto s = train(customers, kAsOf, TrainOptions{}, nullptr);
  ASSERT_TRUE(s.has_value());
  EXPECT_NEAR(s->bgnbd.r, 0.243, 0.08);
  EXPECT_NEAR(s->bgnbd.alpha, 30.9, 12.0);
  TrainOptions weeks;
  weeks.time_unit = models::TimeUnit::kWeek;
  auto w = train(customers, kAsOf, weeks, nullptr);
  ASSERT_TRUE(w.has_value());
  // Same data in weeks: alpha divides by about 7 (t_x and T are whole days, so not exactly).
  EXPECT_NEAR(w->bgnbd.alpha * 7.0 / s->bgnbd.alpha, 1.0, 0.05);
}

// The nearest previous centroid (in raw feature units) of every fresh centroid is the one with
// the same id.
void expect_stable_ids(const models::ModelSnapshot& previous, const models::ModelSnapshot& next) {
  ASSERT_EQ(previous.centroids.size(), next.centroids.size());
  for (size_t j = 0; j < next.centroids.size(); ++j) {
    const models::Point raw = models::unstandardize(next.standardizer, next.centroids[j]);
    size_t nearest = 0;
    double best = INFINITY;
    for (size_t i = 0; i < previous.centroids.size(); ++i) {
      const models::Point prev_z = models::standardize(
          next.standardizer, models::unstandardize(previous.standardizer, previous.centroids[i]));
      const double d = models::squared_distance(prev_z, next.centroids[j]);
      if (d < best) {
        best = d;
        nearest = i;
      }
    }
    EXPECT_EQ(nearest, j) << "fresh centroid " << j << " at " << raw[0];
  }
}

TEST(TrainerTest, RefitsKeepClusterIdsAndCountVersions) {
  auto customers = synthetic_customers(1000, 5, kAsOf);
  auto v1 = train(customers, kAsOf, TrainOptions{}, nullptr);
  ASSERT_TRUE(v1.has_value());
  // A week later with more customers (the first 1000 are the same states).
  const TimestampMs later{kAsOf.value() + 7 * kMsPerDay};
  customers = synthetic_customers(1300, 5, kAsOf);
  auto v2 = train(customers, later, TrainOptions{}, &*v1);
  ASSERT_TRUE(v2.has_value());
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(v2->active_from_ms, later.value());
  expect_stable_ids(*v1, *v2);
  auto v3 = train(customers, TimestampMs{later.value() + 7 * kMsPerDay}, TrainOptions{}, &*v2);
  ASSERT_TRUE(v3.has_value());
  EXPECT_EQ(v3->version, 3);
  expect_stable_ids(*v2, *v3);
  // Weights decay by half per refit before the new population is added.
  double w1 = 0, w2 = 0;
  for (size_t j = 0; j < v1->centroid_weights.size(); ++j) {
    w1 += v1->centroid_weights[j];
    w2 += v2->centroid_weights[j];
  }
  EXPECT_NEAR(w2, 0.5 * w1 + 1300.0, 1e-6 * w2);
}

TEST(TrainerTest, PreviousWithAnotherKIsIgnored) {
  const auto customers = synthetic_customers(1000, 5, kAsOf);
  TrainOptions three;
  three.k = 3;
  auto v1 = train(customers, kAsOf, three, nullptr);
  ASSERT_TRUE(v1.has_value());
  auto v2 = train(customers, kAsOf, TrainOptions{}, &*v1);
  ASSERT_TRUE(v2.has_value());
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(v2->centroids.size(), kDefaultClusters);
}

// Ten customers who each bought on `days` days (one order a day) for `spent` in all, first at
// `first_ms`, last at `last_ms`; browsers for 0 days.
std::vector<CustomerState> buyers(int64_t days, double spent, int64_t first_ms, int64_t last_ms) {
  std::vector<CustomerState> all(10);
  for (size_t i = 0; i < all.size(); ++i) {
    CustomerState& c = all[i];
    c.customer_id = "b" + std::to_string(i);
    c.sessions_total = 1 + static_cast<int64_t>(i);
    c.orders_total = days;
    c.purchase_days = days;
    c.monetary_total = spent;
    c.first_purchase_ms = first_ms;
    c.last_purchase_ms = last_ms;
    c.first_event_ms = first_ms;
    c.last_event_ms = last_ms;
  }
  return all;
}

TEST(TrainerTest, Errors) {
  const auto customers = synthetic_customers(50, 5, kAsOf);
  TrainOptions bad;
  for (const size_t k : {kMinClusters - 1, kMaxClusters + 1}) {
    bad.k = k;
    EXPECT_EQ(train(customers, kAsOf, bad, nullptr).error().code, "bad_option") << k;
  }
  bad = {};
  bad.decay_factor = 0.0;
  EXPECT_EQ(train(customers, kAsOf, bad, nullptr).error().code, "bad_option");
  EXPECT_EQ(train(std::span(customers).first(3), kAsOf, {}, nullptr).error().code,
            "too_few_customers");
  const std::vector<CustomerState> browsers = buyers(0, 0.0, 0, 0);
  // These said "fit_bgnbd needs at least one customer" and "fit_gamma_gamma needs a customer
  // with x > 0" (code empty_input).
  const Error no_buyers = train(browsers, kAsOf, {}, nullptr).error();
  EXPECT_EQ(no_buyers.code, "no_buyers");
  EXPECT_EQ(no_buyers.message,
            "no customer has bought before the fit day: the purchase model (BG/NBD) needs "
            "buyers, and none of the 10 customers is one");
  const std::vector<CustomerState> one_time_buyers =
      buyers(1, 20.0, testing::at_day(100).value(), testing::at_day(100).value());
  const Error no_repeat_buyers = train(one_time_buyers, kAsOf, {}, nullptr).error();
  EXPECT_EQ(no_repeat_buyers.code, "no_repeat_buyers");
  EXPECT_EQ(no_repeat_buyers.message,
            "no customer has bought on two different days for a positive net amount: the spend "
            "model (Gamma-Gamma) needs such repeat buyers, and none of the 10 buyers is one");
}

// Buyers the fits leave out are named: "none of the 10 customers is one" read wrong for ten
// customers who had all bought, on the fit day, and "none of the 10 buyers" for ten who had
// bought on two days, for nothing.
TEST(TrainerTest, ErrorsSayWhichBuyersWereLeftOut) {
  const int64_t on_fit_day = kAsOf.value() + 1000;
  const Error today = train(buyers(1, 20.0, on_fit_day, on_fit_day), kAsOf, {}, nullptr).error();
  EXPECT_EQ(today.code, "no_buyers");
  EXPECT_EQ(today.message,
            "no customer has bought before the fit day: the purchase model (BG/NBD) needs "
            "buyers, and none of the 10 customers is one (10 first bought on the fit day "
            "itself)");
  const Error free =
      train(buyers(2, 0.0, testing::at_day(100).value(), testing::at_day(150).value()), kAsOf, {},
            nullptr)
          .error();
  EXPECT_EQ(free.code, "no_repeat_buyers");
  EXPECT_EQ(free.message,
            "no customer has bought on two different days for a positive net amount: the spend "
            "model (Gamma-Gamma) needs such repeat buyers, and none of the 10 buyers is one (10 "
            "bought on two days or more, but for nothing net of refunds)");
}

TEST(TrainerTest, ReadsOnlyTheScalarFields) {
  // Refit scans decode scalar fields only (io::CustomerFields::kScalars): lists must not matter.
  const auto customers = synthetic_customers(1000, 5, kAsOf);
  auto with_lists = customers;
  for (CustomerState& c : with_lists) {
    c.days = {{day_of(kAsOf) - 3, 2, 99.0}};
    c.sessions = {{kAsOf.value() - 1000, kAsOf.value()}};
    c.cart = {{kAsOf.value(), "p1", 3, 9.5}};
    c.categories = {{"shoes", 4.0}};
    c.recent_event_ids = {1, 2};
    c.segments = {"x"};
  }
  auto plain = train(customers, kAsOf, TrainOptions{}, nullptr);
  auto listed = train(with_lists, kAsOf, TrainOptions{}, nullptr);
  ASSERT_TRUE(plain.has_value()) << plain.error().message;
  ASSERT_TRUE(listed.has_value()) << listed.error().message;
  EXPECT_EQ(io::encode_model_snapshot(*plain), io::encode_model_snapshot(*listed));
}

TEST(TrainerTest, ExtractSkipsBuyersWithoutAge) {
  CustomerState today;
  today.customer_id = "c1";
  today.orders_total = 1;
  today.purchase_days = 1;
  today.first_purchase_ms = kAsOf.value();
  today.last_purchase_ms = today.first_purchase_ms;
  today.first_event_ms = today.first_purchase_ms;
  today.last_event_ms = today.first_purchase_ms;
  today.monetary_total = 10;
  const TrainingSet set = extract_training_set(std::span(&today, 1), kAsOf, models::TimeUnit::kDay);
  EXPECT_TRUE(set.bgnbd.empty());  // T = 0 days: no information for BG/NBD yet.
  EXPECT_EQ(set.first_bought_on_fit_day, 1u);
  EXPECT_TRUE(set.spend.empty());  // No repeat purchase.
  EXPECT_EQ(set.frequency.size(), 1u);
  EXPECT_EQ(set.cluster_vectors.size(), 1u);
}

}  // namespace
}  // namespace segd::core::scoring
