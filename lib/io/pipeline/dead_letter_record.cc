#include "io/pipeline/dead_letter_record.h"

#include <algorithm>
#include <iterator>

#include "core/events/text.h"

namespace segd::io {
namespace {

constexpr std::string_view kMessage = "message";
constexpr std::string_view kKeyTruncatedFrom = "key_truncated_from";
constexpr std::string_view kPayloadTruncatedFrom = "payload_truncated_from";
// Room kept for a *_truncated_from header's value: up to 20 digits.
constexpr size_t kSizeDigits = 20;

// Takes up to `n` bytes from `room` and returns how many it took.
size_t take(size_t& room, size_t n) {
  const size_t taken = std::min(room, n);
  room -= taken;
  return taken;
}

// Keeps what of `bytes` fits in `room` (taking it); a cut adds `truncated_from` (the whole size)
// to `headers`, else the room reserved for that header goes back. Null stays null.
std::optional<std::string> fit_bytes(std::optional<std::string_view> bytes,
                                     std::string_view truncated_from,
                                     size_t reserved,
                                     size_t& room,
                                     std::vector<std::pair<std::string, std::string>>& headers) {
  if (!bytes) {
    room += reserved;
    return std::nullopt;
  }
  if (bytes->size() > room) {
    headers.emplace_back(std::string(truncated_from), std::to_string(bytes->size()));
  } else {
    room += reserved;
  }
  return std::string(bytes->substr(0, take(room, bytes->size())));
}

}  // namespace

DeadLetterRecord fit_dead_letter(std::vector<std::pair<std::string, std::string>> headers,
                                 std::optional<std::string_view> key,
                                 std::optional<std::string_view> payload,
                                 size_t max_bytes) {
  size_t room = max_bytes > kDeadLetterOverhead ? max_bytes - kDeadLetterOverhead : 0;
  const size_t key_reserved = take(room, kKeyTruncatedFrom.size() + kSizeDigits);
  const size_t payload_reserved = take(room, kPayloadTruncatedFrom.size() + kSizeDigits);
  // The short headers (reason, where the message came from) first, then the key, then the
  // message text with what is left of its cap: a long text must not push the others out.
  const auto fit = [&room](std::pair<std::string, std::string>& header, size_t cap) {
    auto& [name, value] = header;
    if (take(room, name.size()) < name.size()) {
      value.clear();
      return false;
    }
    // Cut where a UTF-8 sequence starts: a cut text stays readable.
    value.resize(take(room, core::utf8_prefix(value, std::min(room, cap)).size()));
    return true;
  };
  std::vector<bool> kept(headers.size(), false);
  for (size_t i = 0; i < headers.size(); ++i) {
    if (headers[i].first != kMessage) {
      kept[i] = fit(headers[i], headers[i].second.size());
    }
  }
  std::vector<std::pair<std::string, std::string>> truncated;
  DeadLetterRecord record;
  record.key = fit_bytes(key, kKeyTruncatedFrom, key_reserved, room, truncated);
  for (size_t i = 0; i < headers.size(); ++i) {
    if (headers[i].first == kMessage) {
      kept[i] = fit(headers[i], kDeadLetterMessageBytes);
    }
  }
  for (size_t i = 0; i < headers.size(); ++i) {
    if (kept[i]) {
      record.headers.push_back(std::move(headers[i]));
    }
  }
  record.payload = fit_bytes(payload, kPayloadTruncatedFrom, payload_reserved, room, truncated);
  std::move(truncated.begin(), truncated.end(), std::back_inserter(record.headers));
  return record;
}

}  // namespace segd::io
