#include "io/admin/admin_routes.h"

#include <algorithm>
#include <cctype>

#include "core/events/text.h"
#include "io/codec/json_writer.h"

namespace segd::io {
namespace {

constexpr std::string_view kCustomersPrefix = "/v1/customers/";
constexpr std::string_view kBearer = "Bearer ";
constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";
constexpr std::string_view kExposition = "text/plain; version=0.0.4; charset=utf-8";

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

AdminReply text(int status, std::string_view body) {
  return AdminReply{.status = status,
                    .content_type = std::string(kTextPlain),
                    .body = std::string(body) + "\n",
                    .headers = {}};
}

AdminReply json(int status, std::string body) {
  return AdminReply{
      .status = status, .content_type = "application/json", .body = std::move(body), .headers = {}};
}

AdminReply json_error(int status, std::string_view code, std::string_view message) {
  return json(status, error_json(code, message));
}

// Errors the backend reports about this instance's role, not a fault: the customer's partition is
// another instance's (409: ask that one), none is assigned yet, or Kafka did not take or confirm
// an erasure event (503: retry).
AdminReply backend_error(const core::Error& e) {
  const bool retry = e.code == "not_ready" || e.code == "erasure_unconfirmed" ||
                     e.code == "shutting_down" || e.code == "pipeline_busy" ||
                     e.code == "admin_busy" || e.code.starts_with("kafka.");
  const int status = e.code == "not_assigned" ? 409 : retry ? 503 : 500;
  return json_error(status, e.code, e.message);
}

bool is_mutating(AdminRoute route, HttpMethod method) {
  return route == AdminRoute::kRulesReload ||
         (route == AdminRoute::kCustomer && method == HttpMethod::kDelete);
}

bool method_allowed(AdminRoute route, HttpMethod method) {
  switch (route) {
    case AdminRoute::kCustomer:
      return method == HttpMethod::kGet || method == HttpMethod::kDelete;
    case AdminRoute::kRulesReload:
      return method == HttpMethod::kPost;
    case AdminRoute::kMetrics:
    case AdminRoute::kHealthz:
    case AdminRoute::kReadyz:
    case AdminRoute::kSegments:
      return method == HttpMethod::kGet;
    case AdminRoute::kNotFound:
      return false;
  }
  return false;
}

std::optional<AdminReply> auth_reply(AuthOutcome outcome) {
  switch (outcome) {
    case AuthOutcome::kAllowed:
      return std::nullopt;
    case AuthOutcome::kDisabled:
      return json_error(403, "forbidden", "mutating endpoints are disabled: set admin.token");
    case AuthOutcome::kMissing:
    case AuthOutcome::kWrong: {
      AdminReply r = json_error(
          401, "unauthorized",
          outcome == AuthOutcome::kMissing ? "missing bearer token" : "wrong bearer token");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"segd\"");
      return r;
    }
  }
  return std::nullopt;
}

}  // namespace

RouteMatch match_route(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (path.size() >= scheme.size() &&
        std::equal(scheme.begin(), scheme.end(), path.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      const size_t slash = path.find('/', scheme.size());
      path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
      break;
    }
  }
  if (path == "/metrics") {
    return {AdminRoute::kMetrics, {}};
  }
  if (path == "/healthz") {
    return {AdminRoute::kHealthz, {}};
  }
  if (path == "/readyz") {
    return {AdminRoute::kReadyz, {}};
  }
  if (path == "/v1/segments") {
    return {AdminRoute::kSegments, {}};
  }
  if (path == "/v1/rules/reload") {
    return {AdminRoute::kRulesReload, {}};
  }
  if (path.starts_with(kCustomersPrefix)) {
    const std::string_view id = path.substr(kCustomersPrefix.size());
    if (id.find('/') == std::string_view::npos) {
      return {AdminRoute::kCustomer, std::string(id)};
    }
  }
  return {AdminRoute::kNotFound, {}};
}

bool is_probe(std::string_view target) {
  const AdminRoute route = match_route(target).route;
  return route == AdminRoute::kHealthz || route == AdminRoute::kReadyz;
}

std::string_view allowed_methods(AdminRoute route) {
  switch (route) {
    case AdminRoute::kCustomer:
      return "GET, HEAD, DELETE";
    case AdminRoute::kRulesReload:
      return "POST";
    case AdminRoute::kMetrics:
    case AdminRoute::kHealthz:
    case AdminRoute::kReadyz:
    case AdminRoute::kSegments:
      return "GET, HEAD";
    case AdminRoute::kNotFound:
      return "";
  }
  return "";
}

core::Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return core::fail("bad_percent_encoding", "truncated escape at byte " + std::to_string(i));
    }
    const int hi = hex_value(text[i + 1]);
    const int lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) {
      return core::fail("bad_percent_encoding", "invalid escape at byte " + std::to_string(i));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

core::Result<std::string> decode_customer_id(std::string_view raw) {
  auto id = percent_decode(raw);
  if (!id) {
    return id;
  }
  if (id->empty() || id->size() > kMaxCustomerIdBytes) {
    return core::fail("bad_customer_id",
                      "customer id must be 1.." + std::to_string(kMaxCustomerIdBytes) + " bytes");
  }
  // As event validation requires of customer_id: no id that fails it can be stored (and an
  // erasure of one would only be dead-lettered).
  if (!core::is_valid_utf8(*id)) {
    return core::fail("bad_customer_id", "customer id is not valid UTF-8");
  }
  if (const auto control = core::first_control_char(*id)) {
    return core::fail("bad_customer_id", "customer id contains the control character " +
                                             core::code_point_name(*control));
  }
  return id;
}

AuthOutcome check_bearer(std::string_view authorization, std::string_view token) {
  if (token.empty()) {
    return AuthOutcome::kDisabled;
  }
  // The scheme is case-insensitive (RFC 9110 11.1), and one or more spaces follow it.
  const std::string_view scheme = authorization.substr(0, kBearer.size());
  if (scheme.size() != kBearer.size() ||
      !std::equal(scheme.begin(), scheme.end(), kBearer.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
      })) {
    return AuthOutcome::kMissing;
  }
  std::string_view given = authorization.substr(kBearer.size());
  given.remove_prefix(std::min(given.size(), given.find_first_not_of(' ')));
  // Compare every byte of the configured token whatever the input, so that the time taken does
  // not reveal the length of the matching prefix.
  unsigned diff = given.size() == token.size() ? 0U : 1U;
  for (size_t i = 0; i < token.size(); ++i) {
    const char g = i < given.size() ? given[i] : '\0';
    diff |= static_cast<unsigned>(static_cast<unsigned char>(g ^ token[i]));
  }
  return diff == 0 ? AuthOutcome::kAllowed : AuthOutcome::kWrong;
}

std::string error_json(std::string_view code, std::string_view message) {
  JsonWriter w;
  w.begin_object();
  w.key("error"_key);
  w.string(code);
  w.key("message"_key);
  w.string(message);
  w.end_object();
  return w.take();
}

std::string segments_json(const std::vector<SegmentSummary>& segments) {
  JsonWriter w;
  w.begin_array();
  for (const SegmentSummary& s : segments) {
    w.begin_object();
    w.key("name"_key);
    w.string(s.name);
    w.key("enter"_key);
    w.string(s.enter);
    w.key("exit"_key);
    w.string(s.exit);
    w.key("members"_key);
    w.number(s.members);
    w.end_object();
  }
  w.end_array();
  return w.take();
}

std::string erasure_json(std::string_view id, const ErasureResult& result) {
  JsonWriter w;
  w.begin_object();
  w.key("customer_id"_key);
  w.string(id);
  if (result.queued) {
    const ErasureReceipt& r = *result.queued;
    w.key("status"_key);
    w.string("accepted");
    w.key("topic"_key);
    w.string(r.topic);
    w.key("partition"_key);
    w.number(static_cast<int64_t>(r.partition));
    w.key("offset"_key);
    w.number(r.offset);
    w.key("event_id"_key);
    w.string(r.event_id);
    w.end_object();
    return w.take();
  }
  w.key("existed"_key);
  w.boolean(result.existed);
  w.key("exited_segments"_key);
  w.begin_array();
  for (const std::string& s : result.exited_segments) {
    w.string(s);
  }
  w.end_array();
  w.end_object();
  return w.take();
}

AdminRouter::AdminRouter(std::string token, AdminBackend& backend, MetricsExporter& metrics)
    : token_(std::move(token)), backend_(backend), metrics_(metrics) {}

std::optional<AdminReply> AdminRouter::precheck(const AdminRequest& request) const {
  const RouteMatch match = match_route(request.target);
  if (match.route == AdminRoute::kNotFound) {
    return json_error(404, "not_found", "no such endpoint");
  }
  if (!method_allowed(match.route, request.method)) {
    AdminReply r = json_error(405, "method_not_allowed", "method not allowed");
    r.headers.emplace_back("Allow", std::string(allowed_methods(match.route)));
    return r;
  }
  if (is_mutating(match.route, request.method)) {
    if (auto denied = auth_reply(check_bearer(request.authorization, token_))) {
      return denied;
    }
  }
  if (match.route == AdminRoute::kCustomer) {
    if (auto id = decode_customer_id(match.raw_id); !id) {
      return json_error(400, id.error().code, id.error().message);
    }
  }
  if (match.route == AdminRoute::kHealthz) {
    return text(200, "ok");
  }
  return std::nullopt;
}

bool AdminRouter::mutating(const AdminRequest& request) {
  return is_mutating(match_route(request.target).route, request.method);
}

AdminReply AdminRouter::call(const AdminRequest& request) const {
  const RouteMatch match = match_route(request.target);
  switch (match.route) {
    case AdminRoute::kMetrics:
      return AdminReply{.status = 200,
                        .content_type = std::string(kExposition),
                        .body = metrics_.scrape(backend_),
                        .headers = {}};
    case AdminRoute::kReadyz:
      return backend_.ready() ? text(200, "ready") : text(503, "not ready");
    case AdminRoute::kSegments: {
      auto segments = backend_.segments();
      return segments ? json(200, segments_json(*segments)) : backend_error(segments.error());
    }
    case AdminRoute::kCustomer: {
      auto id = decode_customer_id(match.raw_id);
      return id ? customer(request, *id) : json_error(400, id.error().code, id.error().message);
    }
    case AdminRoute::kRulesReload:
      return reload(request);
    case AdminRoute::kHealthz:
    case AdminRoute::kNotFound:
      break;
  }
  // precheck() answers these; reaching here means the caller skipped it.
  return precheck(request).value_or(json_error(500, "internal", "unrouted request"));
}

AdminReply AdminRouter::customer(const AdminRequest& request, const std::string& id) const {
  if (request.method == HttpMethod::kDelete) {
    auto erased = backend_.erase_customer(id, request.arrived);
    if (!erased) {
      return backend_error(erased.error());
    }
    return json(erased->queued ? 202 : 200, erasure_json(id, *erased));
  }
  auto found = backend_.customer_json(id);
  if (!found) {
    return backend_error(found.error());
  }
  if (!*found) {
    return json_error(404, "unknown_customer", "no customer with id " + id);
  }
  return json(200, std::move(**found));
}

AdminReply AdminRouter::reload(const AdminRequest& request) const {
  auto segments = backend_.reload_rules(request.arrived);
  if (!segments) {
    // The file's own problems (rules_file, rule_syntax, ...) are the caller's to fix; anything
    // else (the commit before the switch, Kafka, a shutdown) is a backend failure.
    const core::Error& e = segments.error();
    return e.code.starts_with("rule") ? json_error(400, e.code, e.message) : backend_error(e);
  }
  return json(200, segments_json(*segments));
}

}  // namespace segd::io
