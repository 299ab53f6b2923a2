#include "io/pipeline/kafka_log.h"

namespace segd::io {
namespace {

void kafka_log(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
  const std::string_view fac = facility ? facility : "";
  const std::string_view message = text ? text : "";
  log(kafka_log_level(level, fac, message), "rdkafka",
      kafka_log_message(rk ? rd_kafka_name(rk) : "rdkafka", fac, message));
}

}  // namespace

LogLevel kafka_log_level(int level, std::string_view facility, std::string_view text) {
  if (facility == "CONFWARN" && text.find(" will be ignored by this ") != std::string_view::npos) {
    return LogLevel::kDebug;
  }
  if (level <= 3) {  // LOG_EMERG .. LOG_ERR
    return LogLevel::kError;
  }
  if (level == 4) {  // LOG_WARNING
    return LogLevel::kWarn;
  }
  return level <= 6 ? LogLevel::kInfo : LogLevel::kDebug;  // LOG_NOTICE, LOG_INFO | LOG_DEBUG
}

std::string kafka_log_message(std::string_view client,
                              std::string_view facility,
                              std::string_view text) {
  std::string out;
  out.reserve(client.size() + facility.size() + text.size() + 3);
  out += client;
  out += ' ';
  out += facility;
  out += ": ";
  out += text;
  return out;
}

void route_kafka_logs(rd_kafka_conf_t* conf) { rd_kafka_conf_set_log_cb(conf, &kafka_log); }

}  // namespace segd::io
