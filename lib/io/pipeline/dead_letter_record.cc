#include "io/pipeline/dead_letter_record.h"

#include <algorithm>

namespace segd::io {
namespace {

constexpr std::string_view kMessage = "message";
constexpr std::string_view kTruncatedFrom = "payload_truncated_from";
// Room kept for the payload_truncated_from header: its name and up to 20 digits.
constexpr size_t kTruncatedHeaderBytes = kTruncatedFrom.size() + 20;

// Takes up to `n` bytes from `room` and returns how many it took.
size_t take(size_t& room, size_t n) {
  const size_t taken = std::min(room, n);
  room -= taken;
  return taken;
}

}  // namespace

DeadLetterRecord fit_dead_letter(std::vector<std::pair<std::string, std::string>> headers,
                                 std::string_view payload,
                                 size_t max_bytes) {
  size_t room = max_bytes > kDeadLetterOverhead ? max_bytes - kDeadLetterOverhead : 0;
  size_t reserved = take(room, kTruncatedHeaderBytes);  // For payload_truncated_from.
  // The short headers (reason, where the message came from) first, then the message text with
  // what is left of its cap: a long text must not push the others out.
  const auto fit = [&room](std::pair<std::string, std::string>& header, size_t cap) {
    auto& [name, value] = header;
    if (take(room, name.size()) < name.size()) {
      value.clear();
      return false;
    }
    value.resize(take(room, std::min(value.size(), cap)));
    return true;
  };
  std::vector<bool> kept(headers.size(), false);
  for (size_t i = 0; i < headers.size(); ++i) {
    if (headers[i].first != kMessage) {
      kept[i] = fit(headers[i], headers[i].second.size());
    }
  }
  for (size_t i = 0; i < headers.size(); ++i) {
    if (headers[i].first == kMessage) {
      kept[i] = fit(headers[i], kDeadLetterMessageBytes);
    }
  }
  DeadLetterRecord record;
  for (size_t i = 0; i < headers.size(); ++i) {
    if (kept[i]) {
      record.headers.push_back(std::move(headers[i]));
    }
  }
  if (payload.size() > room) {
    record.headers.emplace_back(std::string(kTruncatedFrom), std::to_string(payload.size()));
    reserved = 0;
  }
  room += reserved;
  record.payload = std::string(payload.substr(0, std::min(payload.size(), room)));
  return record;
}

}  // namespace segd::io
