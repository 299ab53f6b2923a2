// kafka.rdkafka: the librdkafka properties segd passes to its consumer and producers, checked as
// far as can be before any broker is reached.
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "io/kafka/conf.h"
#include "io/pipeline/consumer_properties.h"
#include "io/pipeline/producer.h"
#include "service/segd/config_internal.h"

namespace segd::service::detail {
namespace {

/// librdkafka properties that have their own segd key; setting both would be ambiguous.
std::optional<std::string_view> dedicated_key(std::string_view prop) {
  if (prop == "bootstrap.servers" || prop == "metadata.broker.list") {
    return "kafka.brokers";
  }
  if (prop == "group.id") {
    return "kafka.group_id";
  }
  if (prop == "session.timeout.ms") {
    return "kafka.session_timeout_ms";
  }
  return std::nullopt;
}

/// Why segd cannot run with `prop` set at all; nullopt for the others.
std::optional<std::string_view> unsupported(std::string_view prop) {
  if (prop == "transactional.id") {
    // With it, librdkafka refuses every produce outside a transaction: the first dead letter
    // failed with "Local: Erroneous state".
    return "segd's producers are idempotent, not transactional: exactly-once output comes from "
           "the outbox in the state dir";
  }
  return std::nullopt;
}

/// A librdkafka property whose value segd's guarantees rest on.
struct FixedProperty {
  std::string_view name;
  std::string_view value;
  std::string_view why;
};

constexpr auto kFixedProperties = std::to_array<FixedProperty>({
    {"partition.assignment.strategy", "range",
     "one instance must own the same partition number of every input topic"},
    {"enable.auto.commit", "false",
     "input positions live in the state dir; segd commits to the group itself, for lag monitoring"},
    {"enable.auto.offset.store", "false",
     "input positions live in the state dir; segd commits to the group itself, for lag monitoring"},
    {"auto.offset.reset", "earliest",
     "a partition whose position the broker no longer holds goes on at its beginning, and segd "
     "counts what the broker removed unread"},
    {"enable.partition.eof", "true",
     "segd follows each partition's end for readiness and --exit-at-end"},
    {"enable.idempotence", "true",
     "the outbox and dead-letter producers must not duplicate or reorder records on retries"},
    {"partitioner", "murmur2_random",
     "erasure events go to the input topic's partition of their customer_id, where segd looks for "
     "them, and each customer's segment changes to one partition, in order"},
});

void check_fixed(const KafkaSettings& k, Problems& problems) {
  for (const auto& [prop, value] : k.rdkafka) {
    if (auto owner = dedicated_key(prop)) {
      problems.add(property_key(prop), "set " + std::string(*owner) + " instead");
    }
    if (auto why = unsupported(prop)) {
      problems.add(property_key(prop), "not supported (" + std::string(*why) + ")");
    }
    for (const FixedProperty& fixed : kFixedProperties) {
      if (prop == fixed.name && value != fixed.value) {
        problems.add(property_key(prop), "must be " + std::string(fixed.value) + " (" +
                                             std::string(fixed.why) + "), got " + quoted(value));
      }
    }
  }
}

/// The properties `reason` names: those librdkafka quotes (`max.poll.interval.ms`must be >=
/// `session.timeout.ms`), or the one it starts with (ssl.ca.location failed: ...).
std::vector<std::string> quoted_properties(std::string_view reason) {
  std::vector<std::string> names;
  if (const size_t end = reason.find(" failed: ");
      end != std::string_view::npos && reason.substr(0, end).find(' ') == std::string_view::npos) {
    names.emplace_back(reason.substr(0, end));
  }
  for (size_t open = reason.find('`'); open != std::string_view::npos;) {
    const size_t close = reason.find('`', open + 1);
    if (close == std::string_view::npos) {
      break;
    }
    names.emplace_back(reason.substr(open + 1, close - open - 1));
    open = reason.find('`', close + 1);
  }
  return names;
}

/// A file property (`ssl.ca.location`) of the user's that `reason` names and that cannot be
/// read: why, for the message ("; cannot read '/x/ca.pem': No such file or directory"), as
/// librdkafka's own words for it come from the SSL library ("system lib").
std::string unreadable_file(const std::vector<std::string>& named, const KafkaSettings& k) {
  for (const std::string& name : named) {
    const auto it = k.rdkafka.find(name);
    if (it == k.rdkafka.end() || !name.ends_with(".location") || it->second.empty()) {
      continue;
    }
    if (::access(it->second.c_str(), R_OK) != 0) {
      return "; cannot read " + quoted(it->second) + ": " + std::strerror(errno);
    }
  }
  return {};
}

/// Clients librdkafka refuses for one reason ("consumer", "producer"), named by the keys of the
/// properties the reason names: the user's kafka.rdkafka properties first, then segd's own keys
/// (`session.timeout.ms` is kafka.session_timeout_ms); segd's fixed settings are not keys.
/// Without any, every property of kafka.rdkafka is named.
void report_refused_clients(const std::vector<std::string_view>& clients,
                            const std::string& reason,
                            const KafkaSettings& k,
                            Problems& problems) {
  std::vector<std::string> keys;
  std::vector<std::string> owned;
  const std::vector<std::string> named = quoted_properties(reason);
  std::string where = unreadable_file(named, k);
  for (const std::string& name : named) {
    if (k.rdkafka.contains(name)) {
      keys.push_back(property_key(name));
    } else if (auto owner = dedicated_key(name)) {
      owned.emplace_back(*owner);
      where += "; " + name + " is " + std::string(*owner);
    }
  }
  keys.insert(keys.end(), owned.begin(), owned.end());
  if (keys.empty()) {
    keys.emplace_back(kRdkafkaKey);
    for (const auto& [prop, value] : k.rdkafka) {
      keys.push_back(property_key(prop));
    }
  }
  std::string which(clients.front());
  for (size_t i = 1; i < clients.size(); ++i) {
    which += " and " + std::string(clients[i]);
  }
  problems.add_related(keys.front(),
                       "librdkafka refuses the " + which + " configuration" +
                           (clients.size() > 1 ? "s" : "") + ": " + reason + where,
                       {keys.begin() + 1, keys.end()});
}

/// What librdkafka refuses of the consumer and the producers as segd builds them.
void check_with_librdkafka(const KafkaSettings& k, Problems& problems) {
  io::PipelineConfig consumer;
  consumer.brokers = k.brokers;
  consumer.group_id = k.group_id;
  consumer.rdkafka_overrides = k.rdkafka;
  consumer.session_timeout = k.session_timeout;
  const std::array<std::tuple<rd_kafka_type_t, std::string_view, io::kafka::Properties>, 2>
      clients = {{{RD_KAFKA_CONSUMER, "consumer", io::consumer_properties(consumer)},
                  {RD_KAFKA_PRODUCER, "producer", io::producer_properties(k.brokers, k.rdkafka)}}};
  std::set<std::string> reported;  // A property both refuse, once.
  // A reason both clients give (a missing SSL file), once: the clients, by reason.
  std::vector<std::pair<std::string, std::vector<std::string_view>>> refused_clients;
  for (const auto& [type, client, properties] : clients) {
    for (const io::kafka::Refusal& refusal : io::kafka::refusals(type, properties)) {
      if (refusal.property.empty()) {
        auto same = std::find_if(refused_clients.begin(), refused_clients.end(),
                                 [&](const auto& r) { return r.first == refusal.reason; });
        if (same == refused_clients.end()) {
          refused_clients.push_back({refusal.reason, {client}});
        } else {
          same->second.push_back(client);
        }
      } else if (reported.insert(refusal.property).second) {
        // segd's own settings are taken once its keys are valid: a refused property is the
        // user's.
        problems.add(property_key(refusal.property), refusal.reason);
      }
    }
  }
  for (const auto& [reason, refusing] : refused_clients) {
    report_refused_clients(refusing, reason, k, problems);
  }
}

}  // namespace

bool secret_property(std::string_view name) {
  return name.find("password") != std::string_view::npos ||
         name.find("secret") != std::string_view::npos || name == "ssl.key.pem" ||
         name == "sasl.oauthbearer.config";
}

void validate_rdkafka(const KafkaSettings& kafka, Problems& problems) {
  check_fixed(kafka, problems);
  for (const auto& [name, value] : kafka.rdkafka) {
    if (secret_property(name) && value == kSecretMask) {
      problems.add(property_key(name), std::string(kMaskedSecretProblem));
    }
  }
  // Without properties of the user's, the clients are segd's own, which librdkafka takes. After
  // another problem with a kafka key (a duplicate property, a fixed value, a session timeout out
  // of range), librdkafka would repeat it, or refuse a setting segd derives from it.
  if (!kafka.rdkafka.empty() && !problems.has_problem_with("kafka")) {
    check_with_librdkafka(kafka, problems);
  }
}

}  // namespace segd::service::detail
