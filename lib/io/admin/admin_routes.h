#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "io/admin/admin_backend.h"
#include "io/admin/metrics.h"

namespace segd::io {

/// The HTTP methods the admin API distinguishes.
enum class HttpMethod { kGet, kPost, kDelete, kOther };

/// The endpoints of the admin API.
enum class AdminRoute {
  kMetrics,      ///< GET /metrics
  kHealthz,      ///< GET /healthz
  kReadyz,       ///< GET /readyz
  kSegments,     ///< GET /v1/segments
  kCustomer,     ///< GET, DELETE /v1/customers/{id}
  kRulesReload,  ///< POST /v1/rules/reload
  kNotFound,
};

/// A route and, for kCustomer, the still percent-encoded id segment of the path.
struct RouteMatch {
  AdminRoute route = AdminRoute::kNotFound;
  std::string raw_id;

  bool operator==(const RouteMatch&) const = default;
};

/// What the router needs from an HTTP request (the transport stays in admin_server.cc).
struct AdminRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string target;         ///< Origin-form request target, query string included.
  std::string authorization;  ///< The Authorization header, empty when absent.
  RequestTime arrived = std::chrono::steady_clock::now();  ///< When it was read.
};

/// A response to write: status, content type, body and extra headers.
struct AdminReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  bool operator==(const AdminReply&) const = default;
};

/// Longest customer id accepted in a path, bytes after decoding (matches event validation).
inline constexpr size_t kMaxCustomerIdBytes = 128;

/// Maps a request target to a route: origin-form (`/metrics`) or absolute-form
/// (`http://host:port/metrics`, which RFC 9112 3.2.2 has servers accept); the query string is
/// ignored. `/v1/customers/` with an empty id is the customer route (its id is then refused as
/// `bad_customer_id`). Pure.
[[nodiscard]] RouteMatch match_route(std::string_view target);
/// Whether `target` is a liveness or readiness probe (/healthz, /readyz, as match_route() reads
/// it): the server answers those past admin.max_connections too. Pure.
[[nodiscard]] bool is_probe(std::string_view target);
/// The methods a route accepts, as for an `Allow` header ("GET", "GET, DELETE", "POST").
[[nodiscard]] std::string_view allowed_methods(AdminRoute route);
/// Decodes %XX escapes ('+' stays '+': paths are not form data). Error `bad_percent_encoding`
/// on a truncated or non-hex escape.
[[nodiscard]] core::Result<std::string> percent_decode(std::string_view text);
/// Decodes and validates the id segment of /v1/customers/{id}: non-empty, at most
/// kMaxCustomerIdBytes, no control characters, valid UTF-8. Errors `bad_percent_encoding`,
/// `bad_customer_id`.
[[nodiscard]] core::Result<std::string> decode_customer_id(std::string_view raw);

/// Whether a mutating request may proceed.
enum class AuthOutcome { kAllowed, kDisabled, kMissing, kWrong };
/// Compares `Authorization: Bearer <token>` with the configured token in time independent of
/// where they differ. An empty configured token disables mutating endpoints (kDisabled).
[[nodiscard]] AuthOutcome check_bearer(std::string_view authorization, std::string_view token);

/// {"error":code,"message":message}
[[nodiscard]] std::string error_json(std::string_view code, std::string_view message);
/// [{"name":..,"enter":..,"exit":..,"members":..}, ...]
[[nodiscard]] std::string segments_json(const std::vector<SegmentSummary>& segments);
/// {"customer_id":..,"existed":..,"exited_segments":[..]}
[[nodiscard]] std::string erasure_json(std::string_view id, const ErasureResult& result);

/// Answers admin requests. precheck() decides everything that needs no backend call (routing,
/// methods, authorization, id syntax, /healthz) and is cheap enough for an event loop; call()
/// runs the backend and may block, so it belongs on a worker thread. Thread-safe: it holds only
/// const configuration and references to thread-safe objects, which must outlive it.
class AdminRouter {
 public:
  AdminRouter(std::string token, AdminBackend& backend, MetricsExporter& metrics);

  /// The final reply when no backend call is needed; nullopt when call() must answer.
  [[nodiscard]] std::optional<AdminReply> precheck(const AdminRequest& request) const;
  /// Answers a request that passed precheck() with nullopt. Blocks on the backend.
  [[nodiscard]] AdminReply call(const AdminRequest& request) const;
  /// Whether the request changes state (erasure, rule reload): such calls may wait for the
  /// pipeline, so the server runs them apart from the reads.
  [[nodiscard]] static bool mutating(const AdminRequest& request);

 private:
  [[nodiscard]] AdminReply customer(const AdminRequest& request, const std::string& id) const;
  [[nodiscard]] AdminReply reload(const AdminRequest& request) const;

  std::string token_;
  AdminBackend& backend_;
  MetricsExporter& metrics_;
};

}  // namespace segd::io
