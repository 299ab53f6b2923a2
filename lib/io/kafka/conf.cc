#include "io/kafka/conf.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <optional>

namespace segd::io::kafka {
namespace {

using ErrorText = std::array<char, 512>;

// librdkafka's error text; some of its messages end in a newline.
std::string reason(const ErrorText& err) {
  std::string text = err.data();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.pop_back();
  }
  return text;
}

bool set(rd_kafka_conf_t* conf, const std::string& name, const std::string& value, ErrorText& err) {
  return rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err.data(), err.size()) ==
         RD_KAFKA_CONF_OK;
}

void log_nothing(const rd_kafka_t* /*rk*/,
                 int /*level*/,
                 const char* /*fac*/,
                 const char* /*buf*/) {}

// The protocol of the trial client for `properties`: their SSL without SASL, so that librdkafka
// loads the SSL files (CA, certificate, key) as it would for the real client, and plaintext
// otherwise.
const char* trial_protocol(const Properties& properties) {
  const auto it = properties.find("security.protocol");
  if (it == properties.end()) {
    return "plaintext";
  }
  std::string value = it->second;
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return value == "ssl" || value == "sasl_ssl" ? "ssl" : "plaintext";
}

// Whether librdkafka creates a client of `type` from `conf` (taken), made of `properties`, and
// why not.
std::optional<std::string> refused_client(rd_kafka_type_t type,
                                          ConfPtr conf,
                                          const Properties& properties) {
  ErrorText err{};
  // Nowhere to connect to, nothing to log in to: the checks of rd_kafka_new() are all wanted.
  if (!set(conf.get(), "bootstrap.servers", "", err) ||
      !set(conf.get(), "security.protocol", trial_protocol(properties), err)) {
    return reason(err);
  }
  rd_kafka_conf_set_log_cb(conf.get(), &log_nothing);
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err.data(), err.size());
  if (rk == nullptr) {
    return reason(err);
  }
  static_cast<void>(conf.release());  // rd_kafka_new owns it now.
  // It never joined a group: nothing to leave.
  rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  return std::nullopt;
}

}  // namespace

core::Result<ConfPtr> make_conf(const Properties& properties) {
  ConfPtr conf(rd_kafka_conf_new());
  ErrorText errstr{};
  for (const auto& [name, value] : properties) {
    if (!set(conf.get(), name, value, errstr)) {
      return core::fail("kafka.bad_config", name + "=" + value + ": " + reason(errstr));
    }
  }
  return conf;
}

std::vector<Refusal> refusals(rd_kafka_type_t type, const Properties& properties) {
  ConfPtr conf(rd_kafka_conf_new());
  std::vector<Refusal> refused;
  ErrorText err{};
  for (const auto& [name, value] : properties) {
    if (!set(conf.get(), name, value, err)) {
      refused.push_back({name, reason(err)});
    }
  }
  if (refused.empty()) {
    if (auto reason = refused_client(type, std::move(conf), properties)) {
      refused.push_back({"", std::move(*reason)});
    }
  }
  return refused;
}

size_t max_message_bytes(rd_kafka_t* rk) {
  std::array<char, 32> text{};
  size_t size = text.size();
  if (rd_kafka_conf_get(rd_kafka_conf(rk), "message.max.bytes", text.data(), &size) !=
      RD_KAFKA_CONF_OK) {
    return 1'000'000;  // librdkafka's default.
  }
  return static_cast<size_t>(std::strtoull(text.data(), nullptr, 10));
}

core::Result<KafkaPtr> make_client(rd_kafka_type_t type, ConfPtr conf) {
  std::array<char, 512> errstr{};
  // rd_kafka_new owns the conf only when it succeeds, so release it only then.
  KafkaPtr rk(rd_kafka_new(type, conf.get(), errstr.data(), errstr.size()));
  if (!rk) {
    return core::fail("kafka.create_failed", reason(errstr));
  }
  static_cast<void>(conf.release());
  return rk;
}

}  // namespace segd::io::kafka
