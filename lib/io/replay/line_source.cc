#include "io/replay/line_source.h"

#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <utility>

#include "core/common/text_line.h"
#include "io/codec/json_event_codec.h"
#include "io/config/input_file.h"
#include "io/log/log.h"

namespace segd::io {
namespace {

// Lines per chunk: big enough that the hand-over costs nothing per line, small enough that
// the engine starts at once.
constexpr size_t kChunkLines = 512;
constexpr size_t kReadBufferBytes = size_t{1} << 20;
// Chunks decoded ahead at most: bounds memory whatever the input size.
constexpr size_t kMaxReadyChunks = 8;

}  // namespace

struct LineSource::Shared {
  Shared(std::vector<std::string> inputs, std::istream& standard_input, int64_t skip)
      : inputs(std::move(inputs)), standard_input(standard_input), skip(skip) {}

  const std::vector<std::string> inputs;
  std::istream& standard_input;
  const int64_t skip;
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<core::Result<std::vector<DecodedLine>>> ready;  ///< Guarded by mutex.
  bool stopping = false;                                     ///< Guarded by mutex.
  bool reading_standard_input = false;                       ///< Guarded by mutex.
};

namespace {

using Shared = LineSource::Shared;

// Hands a chunk (or the end, or an error) to next(); false once stopping.
bool hand_over(Shared& s, core::Result<std::vector<DecodedLine>> chunk) {
  std::unique_lock lock(s.mutex);
  s.changed.wait(lock, [&s] { return s.stopping || s.ready.size() < kMaxReadyChunks; });
  if (s.stopping) {
    return false;
  }
  s.ready.push_back(std::move(chunk));
  lock.unlock();
  s.changed.notify_all();
  return true;
}

// Hands over what `chunk` holds, then `error`, which ends the reading.
void hand_over_error(Shared& s, std::vector<DecodedLine>& chunk, core::Error error) {
  if (!chunk.empty() && !hand_over(s, std::move(chunk))) {
    return;
  }
  hand_over(s, std::unexpected(std::move(error)));
}

// getline() on standard input, announced to the destructor, which leaves a reader blocked here
// behind instead of joining it; false at the end of the input or once stopping.
bool read_standard_input(Shared& s,
                         core::BoundedLineReader& reader,
                         std::string& line,
                         size_t& length) {
  {
    const std::lock_guard lock(s.mutex);
    if (s.stopping) {
      return false;
    }
    s.reading_standard_input = true;
  }
  const bool got = reader.next(s.standard_input, line, length);
  const std::lock_guard lock(s.mutex);
  s.reading_standard_input = false;
  return got && !s.stopping;
}

void read_all(const std::shared_ptr<Shared>& shared) {
  Shared& s = *shared;
  std::string line;
  size_t length = 0;
  // Lines longer than the decoder takes are kept only that far: memory stays bounded whatever
  // the input (a file without line breaks).
  const DecodeLimits limits;
  core::BoundedLineReader reader(limits.max_payload_bytes, core::kMaxTextLineBytes);
  int64_t number = 0;
  std::vector<DecodedLine> chunk;
  chunk.reserve(kChunkLines);
  // Read in 1 MiB blocks instead of the stream's default 8 KiB: a read(2) per 8 KiB was ~22k
  // system calls per 1M events.
  std::vector<char> buffer(kReadBufferBytes);
  for (const std::string& input : s.inputs) {
    std::ifstream file;
    const bool standard = input == "-";
    if (!standard) {
      file.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      // A directory opens as a stream that reads nothing: check what it is first.
      core::Result<void> opened = check_input_file(input);
      if (opened) {
        file.open(input);
        opened = file ? core::Result<void>{} : core::fail("io_error", input + ": cannot open");
      }
      if (!opened) {
        hand_over_error(s, chunk, opened.error());
        return;
      }
    }
    std::istream& in = standard ? s.standard_input : file;
    while (standard ? read_standard_input(s, reader, line, length)
                    : reader.next(in, line, length)) {
      DecodedLine& out = chunk.emplace_back();
      out.number = number++;
      if (out.number < s.skip) {
        out.skipped = true;
      } else if (length > line.size()) {
        out.event = std::unexpected(payload_too_large(length, limits));
        out.payload = line;
        out.payload_cut_from = length;
      } else if (auto decoded = decode_json_event_into(line, *out.event, limits); !decoded) {
        out.event = std::unexpected(std::move(decoded.error()));
        out.payload = line;
      }
      if (chunk.size() == kChunkLines) {
        if (!hand_over(s, std::exchange(chunk, {}))) {
          return;
        }
        chunk.reserve(kChunkLines);
      }
    }
    if (reader.too_long()) {
      hand_over_error(s, chunk,
                      {"io_error", (standard ? std::string("standard input") : input) + ": " +
                                       core::too_long_line_text(number + 1)});
      return;
    }
    // getline() stops at a read error as at the end: only the stream's state tells them apart.
    if (in.bad()) {
      hand_over_error(s, chunk,
                      {"io_error", (standard ? std::string("standard input") : input) +
                                       ": read error after " + std::to_string(number) + " lines"});
      return;
    }
  }
  if (!chunk.empty() && !hand_over(s, std::move(chunk))) {
    return;
  }
  hand_over(s, std::vector<DecodedLine>{});  // The end (or nothing, once stopping).
}

}  // namespace

LineSource::LineSource(std::vector<std::string> inputs, std::istream& standard_input, int64_t skip)
    : shared_(std::make_shared<Shared>(std::move(inputs), standard_input, skip)),
      reader_([shared = shared_] {
        name_this_thread("segd-reader");
        read_all(shared);
      }) {}

LineSource::~LineSource() {
  bool blocked = false;
  {
    const std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
    blocked = shared_->reading_standard_input;
  }
  shared_->changed.notify_all();
  if (blocked) {
    reader_.detach();  // It owns its share of the state and stops once the read returns.
  } else {
    reader_.join();
  }
}

core::Result<std::vector<DecodedLine>> LineSource::next() {
  Shared& s = *shared_;
  std::unique_lock lock(s.mutex);
  s.changed.wait(lock, [&s] { return !s.ready.empty(); });
  core::Result<std::vector<DecodedLine>>& front = s.ready.front();
  if (!front || front->empty()) {
    return front;  // The end or an error: it stays, so later calls see it too.
  }
  core::Result<std::vector<DecodedLine>> chunk = std::move(front);
  s.ready.pop_front();
  lock.unlock();
  s.changed.notify_all();
  return chunk;
}

}  // namespace segd::io
