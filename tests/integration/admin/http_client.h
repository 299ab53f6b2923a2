#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace segd::test {

/// One parsed HTTP/1.1 response. Header names are lower-cased.
struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;

  [[nodiscard]] std::string header(const std::string& lower_name) const;
};

/// What became of a connection while waiting for the server.
enum class PeerState { kOpen, kClosed };

/// A blocking TCP client on 127.0.0.1 for talking raw HTTP to the admin server: it can send
/// malformed or partial requests that a real client library would refuse. Every read gives up
/// after `timeout`. Not thread-safe; one per thread.
class HttpConnection {
 public:
  explicit HttpConnection(uint16_t port,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  [[nodiscard]] bool connected() const { return fd_ >= 0; }
  /// Writes all bytes; false when the connection failed.
  [[nodiscard]] bool send(std::string_view bytes);
  /// Reads one response (Content-Length framed; with `head_request`, the response to a HEAD
  /// request: no body whatever Content-Length says); nullopt on EOF, reset or timeout before it
  /// ends.
  [[nodiscard]] std::optional<HttpResponse> read_response(bool head_request = false);
  /// Waits up to the timeout for the server to close the connection.
  [[nodiscard]] PeerState wait_for_close();

 private:
  [[nodiscard]] bool fill();

  int fd_ = -1;
  std::string buffer_;
};

/// `METHOD target HTTP/1.1` with Host, the given extra header lines ("Name: value") and body.
[[nodiscard]] std::string http_request(std::string_view method,
                                       std::string_view target,
                                       const std::vector<std::string>& headers = {},
                                       std::string_view body = {});

/// Opens a connection, sends one request with `Connection: close`, reads the response.
[[nodiscard]] std::optional<HttpResponse> http_fetch(uint16_t port,
                                                     std::string_view method,
                                                     std::string_view target,
                                                     std::vector<std::string> headers = {},
                                                     std::string_view body = {});

}  // namespace segd::test
