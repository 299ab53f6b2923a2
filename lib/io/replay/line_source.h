#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <istream>
#include <mutex>
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
};

/// Reads JSONL inputs in order ("-" is `standard_input`) and decodes each line with
/// decode_json_event() on a second thread, a chunk ahead of the caller, so that decoding
/// overlaps the engine. Lines come out in input order; what comes out does not depend on the
/// chunking. The first `skip` lines are counted but not decoded (already committed).
class LineSource {
 public:
  LineSource(std::vector<std::string> inputs, std::istream& standard_input, int64_t skip);
  /// Stops the reading thread (it may be waiting for room) and joins it.
  ~LineSource();
  LineSource(const LineSource&) = delete;
  LineSource& operator=(const LineSource&) = delete;

  /// The next lines in order; empty at the end of input. Errors: `io_error` when an input
  /// cannot be opened (after every line of the inputs before it).
  [[nodiscard]] core::Result<std::vector<DecodedLine>> next();

 private:
  void read_all();
  // Hands a chunk (or the end, or an error) to next(); false once stopping.
  bool hand_over(core::Result<std::vector<DecodedLine>> chunk);

  std::vector<std::string> inputs_;
  std::istream& standard_input_;
  int64_t skip_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<core::Result<std::vector<DecodedLine>>> ready_;  ///< Guarded by mutex_.
  bool stopping_ = false;                                     ///< Guarded by mutex_.
  std::thread reader_;  ///< Last: starts once everything above is initialised.
};

}  // namespace segd::io
