#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/common/result.h"
#include "io/admin/admin_backend.h"
#include "io/admin/metrics.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace segd::io {
namespace detail {
/// The server's shared state (acceptor, workers, open sessions); defined in admin_server.cc.
struct AdminServerState;
}  // namespace detail

/// Settings of the admin HTTP server (section `admin` of segd.yaml).
struct AdminConfig {
  std::string host = "127.0.0.1";                   // Default: 127.0.0.1 (IPv4 or IPv6 literal)
  uint16_t port = 9464;                             // Default: 9464; 0 picks a free port
  std::string token;                                // Default: empty (mutating endpoints off)
  size_t max_connections = 64;                      // Default: 64; more: probes only, else 503
  size_t max_body_bytes = 1 << 20;                  // Default: 1 MiB; larger bodies get 413
  size_t max_header_bytes = 16 << 10;               // Default: 16 KiB; larger headers get 431
  std::chrono::milliseconds request_timeout{5000};  // Default: 5000ms to read a whole request
  std::string build_version;                        // Default: empty; sent as `Server: segd/<v>`
};

/// The admin and metrics HTTP/1.1 server (Boost.Beast) of the daemon.
///
/// Endpoints: GET /metrics, /healthz, /readyz, /v1/segments, /v1/customers/{id};
/// DELETE /v1/customers/{id} and POST /v1/rules/reload (both need `Authorization: Bearer
/// <token>`). Replies are decided by AdminRouter (admin_routes.h); every backend call runs on a
/// private worker pool of two threads, never on the io_context thread.
///
/// Robustness: each request (headers and body together) must arrive within request_timeout or
/// the connection is closed, which also bounds idle keep-alive connections and slow senders;
/// bodies over max_body_bytes get 413, headers over max_header_bytes 431, malformed requests
/// 400, and all three close the connection. Connections beyond max_connections (up to as many
/// again; more are closed unanswered) are read for at most a second and closed after one reply:
/// /healthz and /readyz as usual, so that clients holding every connection cannot get segd
/// restarted by its liveness probe, anything else 503 `too_many_connections`.
///
/// Threading: the io_context must be run by exactly one thread and must outlive the server; the
/// backend and the exporter must outlive it too. create() and close() may be called from any
/// thread.
class AdminServer {
 public:
  /// Binds and listens on config.host:config.port and starts accepting on `io`. Error
  /// `admin_listen` when the address is invalid or cannot be bound.
  [[nodiscard]] static core::Result<std::unique_ptr<AdminServer>> create(
      boost::asio::io_context& io,
      const AdminConfig& config,
      AdminBackend& backend,
      MetricsExporter& metrics);

  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;
  /// Calls close() when it was not called.
  ~AdminServer();

  /// The bound port (the chosen one when config.port was 0).
  [[nodiscard]] uint16_t port() const { return port_; }

  /// Stops accepting, closes open connections (on the io_context, asynchronously) and waits for
  /// running backend calls to finish. Requests arriving meanwhile get 503. Later calls return Ok.
  [[nodiscard]] core::Result<void> close();

 private:
  AdminServer(std::shared_ptr<detail::AdminServerState> state, uint16_t port);

  std::shared_ptr<detail::AdminServerState> state_;
  uint16_t port_ = 0;
};

}  // namespace segd::io
