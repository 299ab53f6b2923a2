#include "io/state/model_codec.h"

#include <gtest/gtest.h>

#include "io/state/state_codec.h"

namespace segd::io {
namespace {

core::models::ModelSnapshot snapshot() {
  core::models::ModelSnapshot s;
  s.version = 12;
  s.active_from_ms = 1767225600123;
  s.trained_as_of_ms = 1767225600123 - 3'600'000;  // Trained in the background for an hour.
  s.time_unit = core::models::TimeUnit::kWeek;
  s.bgnbd = {0.243, 4.414, 0.793, 2.426};
  s.gamma_gamma = {6.25, 3.74, 15.44};
  s.standardizer = {{1.5, -2.0, 0.1}, {0.5, 1.0, 3.0}};
  s.centroids = {{0.1, 0.2, 0.3}, {-1.0, 1.0 / 3.0, 2.0}};
  s.centroid_weights = {1234.5, 0.0};
  s.rfm = {{1, 5, 9, 30}, {1, 1, 2, 4}, {10.5, 20, 30, 400}};
  s.diagnostics = {-1234.5678, 2000, 700};
  return s;
}

TEST(ModelCodecTest, RoundTripsExactly) {
  const auto s = snapshot();
  const std::string bytes = encode_model_snapshot(s);
  auto back = decode_model_snapshot(bytes);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(*back, s);
  EXPECT_EQ(encode_model_snapshot(*back), bytes);
  // The outer record is the plain segd.v1.ModelSnapshot that RocksStore stores.
  auto record = decode_model(bytes);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->version, 12);
  EXPECT_EQ(record->active_from_ms, 1767225600123);
  EXPECT_EQ(record->trained_as_of_ms, 1767225600123 - 3'600'000);
}

TEST(ModelCodecTest, RecordsWithoutTrainingTimeReadItAsActiveFrom) {
  // Versions stored before trained_as_of_ms existed were trained on the state at active_from.
  auto s = snapshot();
  s.trained_as_of_ms = 0;
  auto back = decode_model_snapshot(encode_model_snapshot(s));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->trained_as_of_ms, s.active_from_ms);
}

TEST(ModelCodecTest, EqualSnapshotsGiveEqualBytes) {
  auto a = snapshot();
  auto b = snapshot();
  EXPECT_EQ(encode_model_snapshot(a), encode_model_snapshot(b));
  b.centroid_weights[1] = 1e-300;
  EXPECT_NE(encode_model_snapshot(a), encode_model_snapshot(b));
}

TEST(ModelCodecTest, RejectsCorruptOrInvalidPayloads) {
  EXPECT_EQ(decode_model_snapshot("\xff\xff\xff").error().code, "corrupt_state");
  EXPECT_EQ(decode_model_snapshot(encode_model({3, 0, "\x08"})).error().code, "corrupt_state");
  EXPECT_EQ(decode_model_snapshot(encode_model({3, 0, ""})).error().code, "corrupt_state");
  auto bad = snapshot();
  bad.bgnbd.r = -1.0;
  EXPECT_EQ(decode_model_snapshot(encode_model_snapshot(bad)).error().code, "invalid_model");
}

}  // namespace
}  // namespace segd::io
