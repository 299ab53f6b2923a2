#pragma once
// What the pipeline's Kafka tests stand on: segd-devbroker in its own process, RocksDB on disk in
// a temp dir, and a PipelineConfig that points at the broker.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "integration/state/state_fixtures.h"
#include "io/pipeline/pipeline_config.h"
#include "io/state/rocks_store.h"
#include "support/devbroker.h"

namespace segd::test {

struct BrokerAndStore {
  explicit BrokerAndStore(DevBroker started) : broker(std::move(started)) {
    config.brokers = broker.bootstrap();
  }

  DevBroker broker;
  io::testing::TempDir dir;
  std::unique_ptr<io::RocksStore> store;
  io::PipelineConfig config;  ///< `brokers` set; the rest at its defaults.
};

/// Starts a dev broker with the topics NAME:PARTITIONS in `topics` and opens a store in a fresh
/// temp dir. Reports a gtest failure and returns null when either cannot start.
inline std::unique_ptr<BrokerAndStore> start_broker_and_store(std::vector<std::string> topics) {
  auto broker = DevBroker::start(
      DevBrokerOptions{.binary = SEGD_BIN_DIR "/segd-devbroker", .topics = std::move(topics)});
  if (!broker) {
    ADD_FAILURE() << "segd-devbroker: " << broker.error().message;
    return nullptr;
  }
  auto env = std::make_unique<BrokerAndStore>(std::move(*broker));
  auto store = io::RocksStore::open(io::StoreConfig{.path = env->dir.db()});
  if (!store) {
    ADD_FAILURE() << "RocksStore::open: " << store.error().message;
    return nullptr;
  }
  env->store = std::move(*store);
  return env;
}

}  // namespace segd::test
