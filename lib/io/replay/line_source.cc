#include "io/replay/line_source.h"

#include <fstream>
#include <utility>

#include "io/codec/json_event_codec.h"

namespace segd::io {
namespace {

// Lines per chunk: big enough that the hand-over costs nothing per line, small enough that
// the engine starts at once.
constexpr size_t kChunkLines = 512;
// Chunks decoded ahead at most: bounds memory whatever the input size.
constexpr size_t kMaxReadyChunks = 8;

}  // namespace

LineSource::LineSource(std::vector<std::string> inputs, std::istream& standard_input, int64_t skip)
    : inputs_(std::move(inputs)),
      standard_input_(standard_input),
      skip_(skip),
      reader_([this] { read_all(); }) {}

// A reader blocked in getline() on an idle standard input keeps the join waiting until a line
// or the end arrives; a reader waiting for room stops at once.
LineSource::~LineSource() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  reader_.join();
}

bool LineSource::hand_over(core::Result<std::vector<DecodedLine>> chunk) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return stopping_ || ready_.size() < kMaxReadyChunks; });
  if (stopping_) {
    return false;
  }
  ready_.push_back(std::move(chunk));
  lock.unlock();
  changed_.notify_all();
  return true;
}

void LineSource::read_all() {
  std::string line;
  int64_t number = 0;
  std::vector<DecodedLine> chunk;
  chunk.reserve(kChunkLines);
  for (const std::string& input : inputs_) {
    std::ifstream file;
    std::istream* in = &standard_input_;
    if (input != "-") {
      file.open(input);
      if (!file) {
        if (!chunk.empty() && !hand_over(std::move(chunk))) {
          return;
        }
        hand_over(core::fail("io_error", input + ": cannot open"));
        return;
      }
      in = &file;
    }
    while (std::getline(*in, line)) {
      DecodedLine& out = chunk.emplace_back();
      out.number = number++;
      if (out.number < skip_) {
        out.skipped = true;
      } else {
        out.event = decode_json_event(line);
        if (!out.event) {
          out.payload = line;
        }
      }
      if (chunk.size() == kChunkLines) {
        if (!hand_over(std::exchange(chunk, {}))) {
          return;
        }
        chunk.reserve(kChunkLines);
      }
    }
  }
  if (!chunk.empty() && !hand_over(std::move(chunk))) {
    return;
  }
  hand_over(std::vector<DecodedLine>{});  // The end.
}

core::Result<std::vector<DecodedLine>> LineSource::next() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !ready_.empty(); });
  core::Result<std::vector<DecodedLine>>& front = ready_.front();
  if (!front || front->empty()) {
    return front;  // The end or an error: it stays, so later calls see it too.
  }
  core::Result<std::vector<DecodedLine>> chunk = std::move(front);
  ready_.pop_front();
  lock.unlock();
  changed_.notify_all();
  return chunk;
}

}  // namespace segd::io
