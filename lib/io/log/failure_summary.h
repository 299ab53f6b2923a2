#pragma once
// One log line for a run of failures, not one per failure: an outage fails every record in
// flight (100,000 delivery reports within a second, again at each retry).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace segd::io {

/// Decides which failures of one kind are logged: the first at once, then at most one line per
/// `interval`, counting the failures since the last line. The caller logs what it returns and
/// passes the clock in. Not thread-safe.
class FailureSummary {
 public:
  using Clock = std::chrono::steady_clock;

  /// `what` and `plural` name a failing thing: "delivery" and "deliveries" give lines such as
  /// "delivery failed: ERROR" (one) and "3 deliveries failed since the last such line, the last:
  /// ERROR".
  FailureSummary(std::string what, std::string plural, std::chrono::seconds interval);

  /// Records a failure at `now`; returns the line to log, if one is due.
  [[nodiscard]] std::optional<std::string> failed(std::string_view error, Clock::time_point now);
  /// The line for the failures not logged yet, once `interval` has passed since the last line:
  /// call it now and then, so that the tail of a run of failures is counted too.
  [[nodiscard]] std::optional<std::string> due(Clock::time_point now);

 private:
  std::string what_;
  std::string plural_;
  std::chrono::seconds interval_;
  std::optional<Clock::time_point> last_line_;
  int64_t unlogged_ = 0;
  std::string last_error_;
};

}  // namespace segd::io
