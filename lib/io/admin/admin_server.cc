#include "io/admin/admin_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <limits>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "io/admin/admin_routes.h"
#include "io/log/log.h"

namespace segd::io {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// The interim response to `Expect: 100-continue`.
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

class Session;

// Longest wait for a client to close its side after an error reply (see Session::linger).
constexpr std::chrono::milliseconds kLingerLimit{1000};
constexpr std::chrono::milliseconds kAcceptRetry{100};

HttpMethod method_of(http::verb verb) {
  switch (verb) {
    case http::verb::get:
      return HttpMethod::kGet;
    case http::verb::post:
      return HttpMethod::kPost;
    case http::verb::delete_:
      return HttpMethod::kDelete;
    default:
      return HttpMethod::kOther;
  }
}

AdminReply error_reply(int status, std::string_view code, std::string_view message) {
  return AdminReply{.status = status,
                    .content_type = "application/json",
                    .body = error_json(code, message),
                    .headers = {}};
}

}  // namespace

namespace detail {

struct AdminServerState : std::enable_shared_from_this<AdminServerState> {
  AdminServerState(asio::io_context& io_context,
                   const AdminConfig& admin_config,
                   AdminBackend& backend,
                   MetricsExporter& metrics)
      : io(io_context),
        config(admin_config),
        router(admin_config.token, backend, metrics),
        acceptor(io_context),
        retry_timer(io_context) {}

  void accept();
  void on_accept(error_code ec, Tcp::socket socket);
  void shutdown();

  asio::io_context& io;
  const AdminConfig config;
  const AdminRouter router;
  Tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  asio::thread_pool workers{2};   ///< Reads (metrics, readiness, segments, customers).
  asio::thread_pool commands{1};  ///< Erasures and reloads: they may wait for the pipeline.
  std::atomic<bool> closed{false};
  std::atomic<size_t> active{0};     ///< Sessions being served (bounded by max_connections).
  std::atomic<size_t> rejecting{0};  ///< Sessions past the limit (probes only; others get 503).
  std::vector<std::weak_ptr<Session>> sessions;  ///< io_context thread only.
};

}  // namespace detail

namespace {

using detail::AdminServerState;

/// One HTTP/1.1 connection: read a request, answer it (via the workers when the backend is
/// needed), repeat while keep-alive. All members are touched on the io_context thread only,
/// except that a worker reads `state_` (immutable) to run the router.
class Session : public std::enable_shared_from_this<Session> {
 public:
  /// kProbesOnly: past admin.max_connections, only /healthz and /readyz are answered.
  enum class Admission { kServe, kProbesOnly };

  Session(Tcp::socket socket, std::shared_ptr<AdminServerState> state, Admission admission)
      : stream_(std::move(socket)), state_(std::move(state)), admission_(admission) {}

  ~Session() {
    (admission_ == Admission::kServe ? state_->active : state_->rejecting).fetch_sub(1);
  }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() { read_request(); }

  /// Closes the socket; pending operations complete with operation_aborted.
  void stop() {
    error_code ec;
    stream_.socket().close(ec);
  }

 private:
  void read_request() {
    head_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(state_->config.max_header_bytes, std::numeric_limits<uint32_t>::max())));
    parser_->body_limit(state_->config.max_body_bytes);
    // One deadline for the whole request: a client trickling bytes cannot extend it. A connection
    // past the limit gets less: it is read only to see whether it is a probe.
    stream_.expires_after(
        admission_ == Admission::kServe
            ? state_->config.request_timeout
            : std::min<std::chrono::milliseconds>(kLingerLimit, state_->config.request_timeout));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, size_t /*bytes*/) { self->on_header(ec); });
  }

  // A client that sends `Expect: 100-continue` waits for an interim 100 before its body (curl for
  // a second, strict ones until the timeout): it gets the 100, or at once the reply the headers
  // alone decide (401, 404, 405, 503).
  void on_header(error_code ec) {
    // Past the limit a connection gets one reply and is closed: a probe's (/healthz, /readyz: an
    // orchestrator must not restart segd because other clients hold every connection), else 503
    // at once, before any body.
    if (admission_ == Admission::kProbesOnly) {
      const auto target = parser_->get().target();
      if (!ec && !is_probe(std::string_view(target.data(), target.size()))) {
        return write(error_reply(503, "too_many_connections", "too many admin connections"));
      }
    }
    if (ec || parser_->is_done() ||
        !beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      return ec ? on_read(ec) : read_body();
    }
    if (auto reply = early_reply(begin(parser_->get()))) {
      keep_alive_ = false;  // The body is not read.
      return write(std::move(*reply));
    }
    asio::async_write(stream_, asio::buffer(kContinue),
                      [self = shared_from_this()](error_code write_ec, size_t /*bytes*/) {
                        if (write_ec) {
                          return self->stop();
                        }
                        self->read_body();
                      });
  }

  void read_body() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, size_t /*bytes*/) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec == http::error::body_limit) {
      return fail_request(413, "body_too_large", "request body exceeds admin.max_body_bytes");
    }
    if (ec == http::error::header_limit) {
      return fail_request(431, "headers_too_large", "request headers are too large");
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted) {
      return stop();
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_method).category()) {
      return fail_request(400, "bad_request", "malformed HTTP request: " + ec.message());
    }
    if (ec) {
      return stop();
    }
    dispatch(parser_->release());
  }

  // Takes the request's version, keep-alive and HEAD-ness, and returns what the router sees.
  AdminRequest begin(const http::request<http::string_body>& request) {
    version_ = request.version();
    keep_alive_ = request.keep_alive();
    // HEAD is answered as GET, without the body (write()).
    head_ = request.method() == http::verb::head;
    return AdminRequest{.method = head_ ? HttpMethod::kGet : method_of(request.method()),
                        .target = std::string(request.target()),
                        .authorization = std::string(request[http::field::authorization])};
  }

  // The reply that the request line and headers decide alone, if any.
  std::optional<AdminReply> early_reply(const AdminRequest& admin) {
    if (auto reply = state_->router.precheck(admin)) {
      return reply;
    }
    if (state_->closed.load()) {
      keep_alive_ = false;
      return error_reply(503, "shutting_down", "the server is shutting down");
    }
    return std::nullopt;
  }

  void dispatch(http::request<http::string_body> request) {
    AdminRequest admin = begin(request);
    if (auto reply = early_reply(admin)) {
      return write(std::move(*reply));
    }
    stream_.expires_never();
    // A command waiting for a busy pipeline must not hold up the reads (/metrics, /readyz).
    auto& pool = AdminRouter::mutating(admin) ? state_->commands : state_->workers;
    asio::post(pool, [self = shared_from_this(), admin = std::move(admin)]() mutable {
      // A call still queued when the server closes is not made (its client is being
      // disconnected, and a queued erasure or reload would only delay the exit).
      AdminReply reply = self->state_->closed.load()
                             ? error_reply(503, "shutting_down", "the server is shutting down")
                             : self->state_->router.call(admin);
      // Hand the session back to the io_context: the worker must not hold the last reference.
      asio::io_context& io = self->state_->io;
      asio::post(io, [self = std::move(self), reply = std::move(reply)]() mutable {
        self->write(std::move(reply));
      });
    });
  }

  void fail_request(int status, std::string_view code, const std::string& message) {
    keep_alive_ = false;
    write(error_reply(status, code, message));
  }

  void write(AdminReply reply) {
    if (admission_ == Admission::kProbesOnly) {
      keep_alive_ = false;  // Past the limit: one reply, then the connection closes.
    }
    response_.emplace(static_cast<http::status>(reply.status), version_);
    response_->set(http::field::server, state_->config.build_version.empty()
                                            ? std::string("segd")
                                            : "segd/" + state_->config.build_version);
    response_->set(http::field::content_type, reply.content_type);
    response_->set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : reply.headers) {
      response_->set(name, value);
    }
    response_->body() = std::move(reply.body);
    response_->keep_alive(keep_alive_);
    response_->prepare_payload();
    if (head_) {
      response_->body().clear();  // Content-Length stays the GET's.
    }
    stream_.expires_after(state_->config.request_timeout);
    http::async_write(
        stream_, *response_,
        [self = shared_from_this()](error_code ec, size_t /*bytes*/) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    if (ec) {
      return stop();
    }
    response_.reset();
    if (keep_alive_ && !state_->closed.load()) {
      return read_request();
    }
    linger();
  }

  // Closing a socket with unread input makes the kernel send RST, which can destroy the reply
  // before the client reads it (a 413 sent while the body is still arriving). So half-close,
  // then discard input until the client closes or a short deadline passes.
  void linger() {
    error_code ec;
    stream_.socket().shutdown(Tcp::socket::shutdown_send, ec);
    if (ec) {
      return stop();
    }
    stream_.expires_after(
        std::min<std::chrono::milliseconds>(kLingerLimit, state_->config.request_timeout));
    discard();
  }

  void discard() {
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](error_code ec, size_t /*bytes*/) {
                              if (ec) {
                                return self->stop();
                              }
                              self->discard();
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  std::array<char, 4096> scratch_{};
  std::shared_ptr<AdminServerState> state_;
  Admission admission_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;  ///< The request being answered is a HEAD.
};

}  // namespace

namespace detail {

void AdminServerState::accept() {
  acceptor.async_accept(io, [self = shared_from_this()](error_code ec, Tcp::socket socket) {
    self->on_accept(ec, std::move(socket));
  });
}

void AdminServerState::on_accept(error_code ec, Tcp::socket socket) {
  if (closed.load() || !acceptor.is_open()) {
    return;
  }
  if (ec) {
    // Typically EMFILE: retry after a pause instead of spinning on the failing accept.
    log(LogLevel::kWarn, "admin", "accept failed: " + ec.message());
    retry_timer.expires_after(kAcceptRetry);
    retry_timer.async_wait([self = shared_from_this()](error_code wait_ec) {
      if (!wait_ec) {
        self->accept();
      }
    });
    return;
  }
  std::erase_if(sessions, [](const std::weak_ptr<Session>& s) { return s.expired(); });
  if (active.load() < config.max_connections) {
    active.fetch_add(1);
    auto session = std::make_shared<Session>(std::move(socket), shared_from_this(),
                                             Session::Admission::kServe);
    sessions.push_back(session);
    session->start();
  } else if (rejecting.load() < config.max_connections) {
    rejecting.fetch_add(1);
    std::make_shared<Session>(std::move(socket), shared_from_this(),
                              Session::Admission::kProbesOnly)
        ->start();
  } else {
    error_code close_ec;
    socket.close(close_ec);  // Flooded: drop without a reply.
  }
  accept();
}

void AdminServerState::shutdown() {
  error_code ec;
  acceptor.close(ec);
  if (ec) {
    log(LogLevel::kWarn, "admin", "closing the listener: " + ec.message());
  }
  retry_timer.cancel();
  for (const std::weak_ptr<Session>& weak : sessions) {
    if (auto session = weak.lock()) {
      session->stop();
    }
  }
  sessions.clear();
}

}  // namespace detail

core::Result<std::unique_ptr<AdminServer>> AdminServer::create(asio::io_context& io,
                                                               const AdminConfig& config,
                                                               AdminBackend& backend,
                                                               MetricsExporter& metrics) {
  const std::string where = config.host + ":" + std::to_string(config.port);
  error_code ec;
  const asio::ip::address address = asio::ip::make_address(config.host, ec);
  if (ec) {
    return core::fail("admin_listen", "bad admin host '" + config.host + "': " + ec.message());
  }
  auto state = std::make_shared<AdminServerState>(io, config, backend, metrics);
  const Tcp::endpoint endpoint(address, config.port);
  Tcp::acceptor& acceptor = state->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return core::fail("admin_listen", "cannot listen on " + where + ": " + ec.message());
  }
  const uint16_t port = acceptor.local_endpoint(ec).port();
  if (ec) {
    return core::fail("admin_listen", "cannot read the bound port: " + ec.message());
  }
  // Start accepting on the io_context thread, which owns the acceptor from now on.
  asio::post(io, [state] { state->accept(); });
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(state), port));
}

AdminServer::AdminServer(std::shared_ptr<detail::AdminServerState> state, uint16_t port)
    : state_(std::move(state)), port_(port) {}

AdminServer::~AdminServer() {
  if (auto closed = close(); !closed) {
    log(LogLevel::kError, "admin", "close failed: " + closed.error().message);
  }
}

core::Result<void> AdminServer::close() {
  if (state_->closed.exchange(true)) {
    return {};
  }
  asio::post(state_->io, [state = state_] { state->shutdown(); });
  // Backend calls in flight finish; their replies are written if the io_context still runs.
  state_->workers.join();
  state_->commands.join();
  return {};
}

}  // namespace segd::io
