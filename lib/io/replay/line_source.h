#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/common/result.h"
#include "core/events/event.h"

namespace segd::io {

/// One input line, decoded.
struct DecodedLine {
  int64_t number = 0;    ///< 0-based over all inputs: also the count of lines before it.
  bool skipped = false;  ///< Before the lines to skip: neither decoded nor kept.
  core::Result<core::Event> event;
  std::string payload;  ///< The line itself when it did not decode (for the dead letter).
  /// The line's whole length when `payload` is only its start: a line longer than the decoder
  /// takes (DecodeLimits::max_payload_bytes) is kept only that far, whatever its length.
  std::optional<size_t> payload_cut_from;
};

/// Reads JSONL inputs in order ("-" is `standard_input`) and decodes each line with
/// decode_json_event() on a second thread, a chunk ahead of the caller, so that decoding
/// overlaps the engine. Lines come out in input order; what comes out does not depend on the
/// chunking. The first `skip` lines are counted but not decoded (already committed).
class LineSource {
 public:
  /// `standard_input` must outlive the reading thread, which may outlive this object (see the
  /// destructor); std::cin does.
  LineSource(std::vector<std::string> inputs, std::istream& standard_input, int64_t skip);
  /// Stops the reading thread and joins it. A read from standard input cannot be interrupted:
  /// a reader blocked in one (a quiet pipe) is left to end when the read returns, touching
  /// nothing of this object, instead of keeping the caller waiting for input.
  ~LineSource();
  LineSource(const LineSource&) = delete;
  LineSource& operator=(const LineSource&) = delete;

  /// The next lines in order; empty at the end of input. Errors: `io_error` when an input
  /// cannot be opened (after every line of the inputs before it).
  [[nodiscard]] core::Result<std::vector<DecodedLine>> next();

  struct Shared;  ///< What the reading thread uses (defined in the .cc).

 private:
  std::shared_ptr<Shared> shared_;
  std::thread reader_;  ///< Last: starts once shared_ exists.
};

}  // namespace segd::io
