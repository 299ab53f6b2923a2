#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace segd::core {

/// An expected failure: a machine-readable `code` (for example `bad_json` or
/// `missing_field:customer_id`) and a human-readable `message`.
struct Error {
  std::string code;
  std::string message;

  bool operator==(const Error&) const = default;
};

/// Every fallible function returns Result<T>; bad data is normal input, not an exception.
template <typename T>
using Result = std::expected<T, Error>;

/// Builds the error side of a Result.
[[nodiscard]] inline std::unexpected<Error> fail(std::string code, std::string message = {}) {
  return std::unexpected<Error>(Error{std::move(code), std::move(message)});
}

/// Drops a Result on purpose; `why` keeps the decision greppable.
template <typename T>
void ignore_error(const Result<T>& /*result*/, std::string_view /*why*/) {}

}  // namespace segd::core
