#include "server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): sigaction is POSIX's, not <csignal>'s
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "commands.h"

namespace segd::devbroker {
namespace {

// Longest control line kept while waiting for its newline.
constexpr size_t kMaxLineBytes = size_t{64} * 1024;

volatile sig_atomic_t g_stop_signal = 0;

void on_stop_signal(int signal_number) { g_stop_signal = signal_number; }

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // No SA_RESTART: a blocked poll() must return on the signal.
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGHUP, &action, nullptr);  // A closed terminal: exit cleanly, removing the file.
  signal(SIGPIPE, SIG_IGN);             // A reader closing our stdout must not kill the broker.
}

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct ClusterDeleter {
  void operator()(rd_kafka_mock_cluster_t* mc) const { rd_kafka_mock_cluster_destroy(mc); }
};
using KafkaPtr = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using ClusterPtr = std::unique_ptr<rd_kafka_mock_cluster_t, ClusterDeleter>;

core::Result<KafkaPtr> make_host_handle() {
  // The mock cluster needs a client instance for bookkeeping; it never sends anything itself.
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::array<char, 512> errstr{};
  // log_level 4 hides the notice that this bookkeeping client has no bootstrap.servers.
  if (rd_kafka_conf_set(conf, "client.id", "segd-devbroker", errstr.data(), errstr.size()) !=
          RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "log_level", "4", errstr.data(), errstr.size()) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return core::fail("mock_start", errstr.data());
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr.data(), errstr.size());
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return core::fail("mock_start", errstr.data());
  }
  return KafkaPtr(rk);
}

core::Result<void> write_bootstrap_file(const std::string& path, const std::string& bootstrap) {
  // Write then rename, so a reader polling for the file never sees it half-written.
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    errno = 0;
    std::ofstream out(tmp, std::ios::trunc);
    out << bootstrap << '\n';
    out.close();
    if (!out) {
      const int write_errno = errno;
      std::remove(tmp.c_str());
      return core::fail("bootstrap_file",
                        "cannot write " + path + " (through " + tmp + "): " +
                            (write_errno != 0 ? std::strerror(write_errno) : "write failed"));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int rename_errno = errno;
    std::remove(tmp.c_str());
    return core::fail("bootstrap_file",
                      "cannot rename to " + path + ": " + std::strerror(rename_errno));
  }
  return {};
}

core::Result<int> open_control(const Options& options) {
  if (options.control_fifo.empty()) {
    return STDIN_FILENO;
  }
  // O_RDWR keeps a writer open ourselves, so the FIFO never reports EOF when clients disconnect.
  const int fd = open(options.control_fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return core::fail("control",
                      "cannot open " + options.control_fifo + ": " + std::strerror(errno));
  }
  return fd;
}

Reply too_long() {
  return Reply{"error: line longer than " + std::to_string(kMaxLineBytes) + " bytes"};
}

void reply(const Reply& r, std::string_view line) {
  std::fprintf(stderr, "segd-devbroker: command '%.*s' -> %s\n", static_cast<int>(line.size()),
               line.data(), r.text.c_str());
  std::fprintf(stdout, "%s\n", r.text.c_str());
  std::fflush(stdout);
}

bool stdin_is_pipe() {
  struct stat st {};
  return fstat(STDIN_FILENO, &st) == 0 && S_ISFIFO(st.st_mode);
}

/// Reads lines from `fd` and runs them until a stop condition. Returns on quit/signal/EOF.
void serve(rd_kafka_mock_cluster_t* cluster, int fd, const Options& options) {
  const bool exit_on_eof =
      fd == STDIN_FILENO && options.stdin_eof == EofPolicy::kExit && stdin_is_pipe();
  bool watching = true;
  std::string pending;
  bool discarding = false;  // Inside a line that was too long, up to its newline.
  // Runs one command line and answers it; true when it asks the broker to quit.
  const auto quits_after = [&](const std::string& line) {
    const Reply r = run_command(cluster, options.brokers, line);
    reply(r, line);
    return r.after == After::kQuit;
  };
  while (g_stop_signal == 0) {
    pollfd pfd{watching ? fd : -1, POLLIN, 0};
    const int ready = poll(&pfd, 1, 500);
    if (ready <= 0 || (pfd.revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
      continue;
    }
    std::array<char, 4096> buf{};
    const ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      continue;
    }
    if (n <= 0) {
      // A last command without its newline is still a command.
      if (!pending.empty()) {
        const std::string line = std::exchange(pending, {});
        if (quits_after(line)) {
          return;
        }
      }
      if (exit_on_eof) {
        std::fprintf(stderr, "segd-devbroker: EOF on stdin, exiting\n");
        return;
      }
      // stdin at /dev/null (background runs) must not stop the broker: stop watching it.
      std::fprintf(stderr, "segd-devbroker: EOF on control input, ignoring it\n");
      watching = false;
      continue;
    }
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    bool ran_one = false;  // Of the lines of this read.
    if (discarding) {
      // The rest of a line already answered as too long.
      const size_t end = chunk.find('\n');
      if (end == std::string_view::npos) {
        continue;
      }
      chunk.remove_prefix(end + 1);
      discarding = false;
    }
    const size_t scanned = pending.size();
    pending.append(chunk);
    if (pending.find('\n', scanned) == std::string::npos && pending.size() > kMaxLineBytes) {
      // No command is this long: answer it and drop it rather than buffer without bound.
      reply(too_long(), std::string_view(pending).substr(0, 40));
      pending.clear();
      discarding = true;
      continue;
    }
    size_t newline;
    // A signal ends the run between two commands, not after every command read so far.
    while (g_stop_signal == 0 && (newline = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      if (line.size() > kMaxLineBytes) {
        reply(too_long(), std::string_view(line).substr(0, 40));
        continue;
      }
      if (ran_one) {
        // librdkafka 2.0.2's mock thread can miss the wake-up of a request queued while it is
        // still finishing the previous one, and then sees it only at its next 1 s poll: a short
        // pause lets it get back to waiting first (measured: 6 commands in one write took 2 s).
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      ran_one = true;
      if (quits_after(line)) {
        return;
      }
    }
  }
  std::fprintf(stderr, "segd-devbroker: signal %d, exiting\n", static_cast<int>(g_stop_signal));
}

}  // namespace

core::Result<void> run_server(const Options& options) {
  install_signal_handlers();
  // A file left by a broker that was killed names its dead address: gone before anything else,
  // so a script waiting for the file never reads it.
  // (unlink, not remove: a directory there is left for the write to refuse.)
  if (!options.bootstrap_file.empty() && ::unlink(options.bootstrap_file.c_str()) != 0 &&
      errno != ENOENT && errno != EISDIR) {
    return core::fail("bootstrap_file", "cannot remove the old " + options.bootstrap_file + ": " +
                                            std::strerror(errno));
  }
  auto host = make_host_handle();
  if (!host) {
    return std::unexpected(host.error());
  }
  ClusterPtr cluster(rd_kafka_mock_cluster_new(host->get(), options.brokers));
  if (!cluster) {
    return core::fail("mock_start", "rd_kafka_mock_cluster_new failed");
  }
  for (const auto& topic : options.topics) {
    const auto err = rd_kafka_mock_topic_create(cluster.get(), topic.name.c_str(), topic.partitions,
                                                options.brokers >= 3 ? 3 : 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return core::fail("mock_start", "topic " + topic.name + ": " + rd_kafka_err2str(err));
    }
    std::fprintf(stderr, "segd-devbroker: topic %s with %d partitions\n", topic.name.c_str(),
                 topic.partitions);
  }
  const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster.get());
  std::fprintf(stderr, "segd-devbroker: %d broker(s) listening on %s\n", options.brokers,
               bootstrap.c_str());
  auto fd = open_control(options);
  if (!fd) {
    return std::unexpected(fd.error());
  }
  // Written last, once everything serves, and removed on the way out: a script waiting for the
  // file never reads the address of a broker that failed to start or has gone.
  if (!options.bootstrap_file.empty()) {
    if (auto written = write_bootstrap_file(options.bootstrap_file, bootstrap); !written) {
      if (*fd != STDIN_FILENO) {
        close(*fd);
      }
      return written;
    }
  }
  serve(cluster.get(), *fd, options);
  if (*fd != STDIN_FILENO) {
    close(*fd);
  }
  if (!options.bootstrap_file.empty()) {
    std::remove(options.bootstrap_file.c_str());
  }
  return {};
}

}  // namespace segd::devbroker
