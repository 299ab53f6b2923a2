// Reading topics back with headers, and checking published SegmentChanges against the contract.
#include <map>
#include <set>

#include "integration/daemon/harness.h"
#include "integration/kafka/consume.h"
#include "io/kafka/conf.h"
#include "io/kafka/errors.h"
#include "io/kafka/handles.h"

namespace segd::test {

std::optional<std::string> HeadedRecord::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) {
      return v;
    }
  }
  return std::nullopt;
}

namespace {

HeadedRecord to_record(const rd_kafka_message_t& msg) {
  HeadedRecord r;
  r.partition = msg.partition;
  r.offset = msg.offset;
  r.value.assign(static_cast<const char*>(msg.payload), msg.len);
  r.null_value = msg.payload == nullptr;
  if (msg.key != nullptr) {
    r.key = std::string(static_cast<const char*>(msg.key), msg.key_len);
  }
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(&msg, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0;
         rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      r.headers.emplace_back(name, value == nullptr
                                       ? std::string()
                                       : std::string(static_cast<const char*>(value), size));
    }
  }
  return r;
}

}  // namespace

core::Result<std::vector<HeadedRecord>> read_topic(const std::string& bootstrap,
                                                   const std::string& topic,
                                                   int32_t partitions,
                                                   std::chrono::seconds timeout) {
  auto rk = open_reader(bootstrap, topic, partitions);
  if (!rk) {
    return std::unexpected(rk.error());
  }
  std::vector<HeadedRecord> records;
  std::set<int32_t> at_end;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (static_cast<int32_t>(at_end.size()) < partitions) {
    if (std::chrono::steady_clock::now() > deadline) {
      return core::fail("timeout", topic + ": partitions at end after " +
                                       std::to_string(timeout.count()) +
                                       " s: " + std::to_string(at_end.size()));
    }
    io::kafka::MessagePtr msg(rd_kafka_consumer_poll(rk->get(), 100));
    if (!msg) {
      continue;
    }
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end.insert(msg->partition);
    } else if (msg->err) {
      return std::unexpected(io::kafka::to_error(msg->err, "consume " + topic));
    } else {
      records.push_back(to_record(*msg));
    }
  }
  rd_kafka_consumer_close(rk->get());
  return records;
}

std::optional<std::string> json_field(std::string_view line, std::string_view name) {
  const std::string needle = "\"" + std::string(name) + "\":";
  const size_t at = line.find(needle);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  size_t pos = at + needle.size();
  if (pos < line.size() && line[pos] == '"') {
    const size_t end = line.find('"', pos + 1);
    if (end == std::string_view::npos) {
      return std::nullopt;
    }
    return std::string(line.substr(pos + 1, end - pos - 1));
  }
  const size_t end = line.find_first_of(",}", pos);
  return std::string(line.substr(pos, end == std::string_view::npos ? end : end - pos));
}

namespace {

// Problems with one record on its own: key and headers against its JSON.
void check_record(const HeadedRecord& r, std::vector<std::string>& problems) {
  const auto where = [&] {
    return "partition " + std::to_string(r.partition) + " offset " + std::to_string(r.offset);
  };
  const auto customer = json_field(r.value, "customer_id");
  if (!customer || r.key != customer) {
    problems.push_back(where() + ": key '" + r.key.value_or("<null>") +
                       "' is not the customer_id of " + r.value);
  }
  for (const char* name : {"segment", "change", "model_version"}) {
    const auto want = json_field(r.value, name);
    const auto got = r.header(name);
    if (!want || got != want) {
      problems.push_back(where() + ": header '" + name + "' = '" + got.value_or("<missing>") +
                         "', JSON field = '" + want.value_or("<missing>") + "'");
    }
  }
}

}  // namespace

ChangeCheck check_changes(const std::vector<HeadedRecord>& records) {
  ChangeCheck out;
  std::vector<std::string> problems;
  std::map<std::string, const std::string*> first_copy;
  for (const HeadedRecord& r : records) {
    check_record(r, problems);
    const auto id = json_field(r.value, "event_id");
    if (!id) {
      problems.push_back("no event_id in " + r.value);
      continue;
    }
    auto [it, inserted] = first_copy.emplace(*id, &r.value);
    if (inserted) {
      out.distinct.insert(r.value);
      continue;
    }
    ++out.duplicates;
    if (*it->second != r.value) {
      problems.push_back("duplicate of " + *id + " differs:\n  first: " + *it->second +
                         "\n  later: " + r.value);
    }
  }
  if (problems.size() > 20) {
    problems.resize(20);
  }
  out.problems = std::move(problems);
  return out;
}

std::string diff_sets(const std::set<std::string>& want, const std::set<std::string>& got) {
  std::vector<std::string> missing;
  std::vector<std::string> extra;
  for (const std::string& w : want) {
    if (!got.contains(w)) {
      missing.push_back(w);
    }
  }
  for (const std::string& g : got) {
    if (!want.contains(g)) {
      extra.push_back(g);
    }
  }
  if (missing.empty() && extra.empty()) {
    return {};
  }
  std::string out = "expected " + std::to_string(want.size()) + ", got " +
                    std::to_string(got.size()) + "; missing " + std::to_string(missing.size()) +
                    ", unexpected " + std::to_string(extra.size());
  for (size_t i = 0; i < missing.size() && i < 3; ++i) {
    out += "\n  missing:    " + missing[i];
  }
  for (size_t i = 0; i < extra.size() && i < 3; ++i) {
    out += "\n  unexpected: " + extra[i];
  }
  return out;
}

std::string diff_text(const std::string& want, const std::string& got) {
  if (want == got) {
    return {};
  }
  const std::vector<std::string> a = split_lines(want);
  const std::vector<std::string> b = split_lines(got);
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) {
    ++i;
  }
  return "expected " + std::to_string(a.size()) + " lines, got " + std::to_string(b.size()) +
         "; first difference at line " + std::to_string(i + 1) +
         "\n  expected: " + (i < a.size() ? a[i] : "<end>") +
         "\n  got:      " + (i < b.size() ? b[i] : "<end>");
}

}  // namespace segd::test
