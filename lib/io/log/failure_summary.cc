#include "io/log/failure_summary.h"

#include <utility>

namespace segd::io {

FailureSummary::FailureSummary(std::string what, std::string plural, std::chrono::seconds interval)
    : what_(std::move(what)), plural_(std::move(plural)), interval_(interval) {}

std::optional<std::string> FailureSummary::failed(std::string_view error, Clock::time_point now) {
  ++unlogged_;
  last_error_ = error;
  return due(now);
}

std::optional<std::string> FailureSummary::due(Clock::time_point now) {
  if (unlogged_ == 0 || (last_line_ && now - *last_line_ < interval_)) {
    return std::nullopt;
  }
  std::string line = unlogged_ == 1
                         ? what_ + " failed: " + last_error_
                         : std::to_string(unlogged_) + " " + plural_ +
                               " failed since the last such line, the last: " + last_error_;
  last_line_ = now;
  unlogged_ = 0;
  return line;
}

}  // namespace segd::io
