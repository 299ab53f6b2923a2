// Throughput of the input event codecs (one typical product_view and one purchase) and of the
// SegmentChange JSON encoder (one typical change).
// Run: build/bin/codec_bench (items_per_second is events per second on one core).
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "io/codec/json_event_codec.h"
#include "io/codec/proto_event_codec.h"
#include "io/codec/segment_change_json.h"

namespace {

constexpr std::string_view kView =
    R"({"event_id":"e-1","type":"product_view","customer_id":"c42","ts":"2026-03-01T10:00:00Z",)"
    R"("session_id":"s9","product_id":"p7","category":"shoes","price":59.9})";
constexpr std::string_view kPurchase =
    R"({"event_id":"e-2","type":"purchase","customer_id":"c42","ts":1772359200000,)"
    R"("order_id":"o-17","amount":119.8,"currency":"EUR",)"
    R"("items":[{"product_id":"p7","category":"shoes","quantity":2,"price":59.9}]})";

void decode_json(benchmark::State& state, std::string_view payload) {
  for (auto _ : state) {
    auto event = segd::io::decode_json_event(payload);
    benchmark::DoNotOptimize(event);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()));
}

void decode_proto(benchmark::State& state, std::string_view json) {
  const std::string payload =
      segd::io::encode_proto_event(segd::io::decode_json_event(json).value());
  for (auto _ : state) {
    auto event = segd::io::decode_proto_event(payload);
    benchmark::DoNotOptimize(event);
  }
  state.SetItemsProcessed(state.iterations());
}

void encode_json(benchmark::State& state, std::string_view json) {
  const segd::core::Event event = segd::io::decode_json_event(json).value();
  for (auto _ : state) {
    auto text = segd::io::encode_json_event(event);
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_EncodeSegmentChange(benchmark::State& state) {
  segd::core::SegmentChange change;
  change.event_id = "c039112/new_buyer/4";
  change.customer_id = "c039112";
  change.segment = "new_buyer";
  change.at = segd::core::TimestampMs{1767225666709};
  change.cause_event_id = "e39112-4";
  change.reason = "orders_total == 1 && days_since_last_purchase < 7";
  change.values = {{"days_since_last_purchase", 0.0}, {"orders_total", 1.0}};
  for (auto _ : state) {
    auto text = segd::io::encode_segment_change_json(change);
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DecodeJsonView(benchmark::State& state) { decode_json(state, kView); }
void BM_DecodeJsonPurchase(benchmark::State& state) { decode_json(state, kPurchase); }
void BM_DecodeProtoView(benchmark::State& state) { decode_proto(state, kView); }
void BM_DecodeProtoPurchase(benchmark::State& state) { decode_proto(state, kPurchase); }
void BM_EncodeJsonView(benchmark::State& state) { encode_json(state, kView); }
void BM_EncodeJsonPurchase(benchmark::State& state) { encode_json(state, kPurchase); }

BENCHMARK(BM_DecodeJsonView);
BENCHMARK(BM_DecodeJsonPurchase);
BENCHMARK(BM_DecodeProtoView);
BENCHMARK(BM_DecodeProtoPurchase);
BENCHMARK(BM_EncodeJsonView);
BENCHMARK(BM_EncodeJsonPurchase);
BENCHMARK(BM_EncodeSegmentChange);

}  // namespace

BENCHMARK_MAIN();
