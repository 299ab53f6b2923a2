#include "io/kafka/conf.h"

#include <array>

namespace segd::io::kafka {

core::Result<ConfPtr> make_conf(const Properties& properties) {
  ConfPtr conf(rd_kafka_conf_new());
  std::array<char, 512> errstr{};
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), errstr.data(), errstr.size()) !=
        RD_KAFKA_CONF_OK) {
      return core::fail("kafka.bad_config", name + "=" + value + ": " + errstr.data());
    }
  }
  return conf;
}

core::Result<KafkaPtr> make_client(rd_kafka_type_t type, ConfPtr conf) {
  std::array<char, 512> errstr{};
  // rd_kafka_new owns the conf only when it succeeds, so release it only then.
  KafkaPtr rk(rd_kafka_new(type, conf.get(), errstr.data(), errstr.size()));
  if (!rk) {
    return core::fail("kafka.create_failed", errstr.data());
  }
  static_cast<void>(conf.release());
  return rk;
}

}  // namespace segd::io::kafka
