#include "integration/daemon/harness.h"

#include <signal.h>
#include <stdlib.h>

#include <fstream>
#include <map>
#include <sstream>

#include "core/common/check.h"
#include "io/kafka/conf.h"
#include "io/kafka/errors.h"
#include "io/kafka/handles.h"

namespace segd::test {

std::string bin_path(std::string_view name) { return std::string(SEGD_BIN_DIR "/") += name; }

std::string source_path(std::string_view relative) {
  return std::string(SEGD_SOURCE_DIR "/") += relative;
}

size_t occurrences(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines, size_t begin, size_t end) {
  std::string text;
  for (size_t i = begin; i < end && i < lines.size(); ++i) {
    text += lines[i] + "\n";
  }
  return text;
}

namespace {

std::string tail(const std::string& text, size_t n) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

std::string join(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    out += (out.empty() ? "" : " ") + a;
  }
  return out;
}

}  // namespace

core::Result<void> run_tool(const std::vector<std::string>& argv,
                            const std::string& stdout_path,
                            std::chrono::seconds timeout) {
  const TempDir scratch("tool");
  const std::string err_path = scratch.file("stderr");
  auto p = Process::spawn({.argv = argv,
                           .stdout_mode = StdoutMode::kFile,
                           .stdout_path = stdout_path.empty() ? "/dev/null" : stdout_path,
                           .stderr_path = err_path});
  if (!p) {
    return std::unexpected(p.error());
  }
  auto code = p->wait(timeout);
  if (!code) {
    p->kill(SIGKILL);
    return core::fail(
        "timeout", join(argv) + ": still running after " + std::to_string(timeout.count()) + " s");
  }
  if (*code != 0) {
    return core::fail("exit_code", join(argv) + ": exit " + std::to_string(*code) + "\n" +
                                       tail(read_text(err_path), 2000));
  }
  return {};
}

int64_t TopicSummary::dead_lettered_total() const {
  int64_t total = 0;
  for (const auto& [reason, n] : dead_lettered) {
    total += n;
  }
  return total;
}

namespace {

// A strict reader for the summary's subset of JSON: objects, strings without escapes, integers.
class SummaryReader {
 public:
  explicit SummaryReader(std::string_view text) : text_(text) {}

  core::Result<Summary> read() {
    Summary s;
    bool ok = object([&](const std::string& key) {
      if (key == "topics") {
        return object([&](const std::string& topic) { return topic_counts(s.topics[topic]); });
      }
      if (key == "changes") {
        return integer(s.changes);
      }
      if (key == "timers_fired") {
        return integer(s.timers_fired);
      }
      if (key == "batches") {
        return integer(s.batches);
      }
      return key == "outbox_published" && integer(s.outbox_published);
    });
    skip_space();
    if (!ok || pos_ != text_.size()) {
      return core::fail("bad_summary",
                        "cannot parse at byte " + std::to_string(pos_) + ": " + std::string(text_));
    }
    return s;
  }

 private:
  bool topic_counts(TopicSummary& t) {
    return object([&](const std::string& key) {
      if (key == "consumed") {
        return integer(t.consumed);
      }
      if (key == "processed") {
        return integer(t.processed);
      }
      if (key == "duplicates") {
        return integer(t.duplicates);
      }
      if (key == "lost_to_retention") {
        return integer(t.lost_to_retention);
      }
      return key == "dead_lettered" &&
             object([&](const std::string& reason) { return integer(t.dead_lettered[reason]); });
    });
  }

  template <typename Member>
  bool object(Member&& member) {
    if (!eat('{')) {
      return false;
    }
    if (eat('}')) {
      return true;
    }
    do {
      std::string key;
      if (!string(key) || !eat(':') || !member(key)) {
        return false;
      }
    } while (eat(','));
    return eat('}');
  }

  bool string(std::string& out) {
    if (!eat('"')) {
      return false;
    }
    const size_t end = text_.find('"', pos_);
    if (end == std::string_view::npos ||
        text_.substr(pos_, end - pos_).find('\\') != std::string_view::npos) {
      return false;
    }
    out = std::string(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return true;
  }

  bool integer(int64_t& out) {
    skip_space();
    const size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') {
      ++pos_;
    }
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      ++pos_;
    }
    if (pos_ == start) {
      return false;
    }
    out = std::stoll(std::string(text_.substr(start, pos_ - start)));
    return true;
  }

  bool eat(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

core::Result<Summary> parse_summary(std::string_view stderr_text) {
  constexpr std::string_view kPrefix = "segd: summary ";
  const size_t at = stderr_text.rfind(kPrefix);
  if (at == std::string_view::npos || (at > 0 && stderr_text[at - 1] != '\n')) {
    return core::fail("no_summary", "no 'segd: summary' line on stderr");
  }
  std::string_view json = stderr_text.substr(at + kPrefix.size());
  json = json.substr(0, json.find('\n'));
  return SummaryReader(json).read();
}

core::Result<std::string> write_segd_config(const SegdOptions& o, const TempDir& dir) {
  std::string yaml = "kafka:\n  brokers: \"" + o.brokers + "\"\n  group_id: " + o.group_id +
                     "\n  session_timeout_ms: 6000\n  input_topics:\n";
  for (const std::string& t : o.input_topics) {
    yaml += "    - name: " + t + "\n      format: " + o.input_format + "\n";
  }
  yaml += "  output_format: " + o.output_format + "\n";
  yaml += "  rdkafka:\n";
  for (const auto& [k, v] : o.rdkafka) {
    yaml += "    " + k + ": \"" + v + "\"\n";
  }
  if (o.rdkafka.empty()) {
    yaml += "    {}\n";
  }
  yaml += "state:\n  dir: " + o.state_dir + "\nrules:\n  file: " +
          (o.rules_file.empty() ? source_path("config/segments.yaml") : o.rules_file) +
          "\nadmin:\n  listen: 127.0.0.1:0\n";
  yaml += "models:\n  refit_every: \"" + o.refit_every + "\"\n";
  if (o.batch_max_events || o.batch_max_timers) {
    yaml += "engine:\n";
  }
  if (o.batch_max_events) {
    yaml += "  batch_max_events: " + std::to_string(*o.batch_max_events) + "\n";
  }
  if (o.batch_max_timers) {
    yaml += "  batch_max_timers: " + std::to_string(*o.batch_max_timers) + "\n";
  }
  const std::string path = dir.file("segd.yaml");
  if (auto w = write_text(path, yaml); !w) {
    return std::unexpected(w.error());
  }
  return path;
}

core::Result<SegdProcess> start_segd(const std::string& config_path,
                                     ExitMode mode,
                                     const std::string& stderr_path,
                                     const std::vector<std::string>& flags) {
  std::vector<std::string> argv = {bin_path("segd"), "--config", config_path};
  if (mode == ExitMode::kAtEnd) {
    argv.emplace_back("--exit-at-end");
  }
  argv.insert(argv.end(), flags.begin(), flags.end());
  auto p = Process::spawn({.argv = argv,
                           .stdout_mode = StdoutMode::kFile,
                           .stdout_path = "/dev/null",
                           .stderr_path = stderr_path});
  if (!p) {
    return std::unexpected(p.error());
  }
  return SegdProcess{std::move(*p), stderr_path};
}

uint16_t admin_port(const SegdProcess& segd) {
  constexpr std::string_view kNeedle = "admin: listening on http://127.0.0.1:";
  const std::string log = segd.log();
  const size_t at = log.find(kNeedle);
  return at == std::string::npos
             ? 0
             : static_cast<uint16_t>(std::stoi(log.substr(at + kNeedle.size(), 5)));
}

core::Result<void> wait_for_log(SegdProcess& segd,
                                std::string_view needle,
                                std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string log = segd.log();
    if (log.find(needle) != std::string::npos) {
      return {};
    }
    if (auto code = segd.process.wait(std::chrono::milliseconds(20)); code) {
      return core::fail("exited", "segd exited " + std::to_string(*code) + " before logging '" +
                                      std::string(needle) + "':\n" + tail(log, 3000));
    }
  }
  return core::fail("timeout", "segd did not log '" + std::string(needle) + "' within " +
                                   std::to_string(timeout.count()) + " ms:\n" +
                                   tail(segd.log(), 3000));
}

}  // namespace segd::test
