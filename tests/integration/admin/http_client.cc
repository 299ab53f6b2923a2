#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

namespace segd::test {

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

HttpConnection::HttpConnection(uint16_t port, std::chrono::milliseconds timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    return;
  }
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

bool HttpConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool HttpConnection::fill() {
  char chunk[8192];
  for (;;) {
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

std::optional<HttpResponse> HttpConnection::read_response(bool head_request) {
  size_t header_end = std::string::npos;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) {
      return std::nullopt;
    }
  }
  HttpResponse response;
  const std::string head = buffer_.substr(0, header_end);
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.")) {
    return std::nullopt;
  }
  response.status = std::stoi(status_line.substr(9, 3));
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) {
      continue;
    }
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    response.headers[name] = value;
  }
  const size_t length = head_request ? 0
                                     : std::stoul(response.header("content-length").empty()
                                                      ? std::string("0")
                                                      : response.header("content-length"));
  const size_t body_start = header_end + 4;
  while (buffer_.size() < body_start + length) {
    if (!fill()) {
      return std::nullopt;
    }
  }
  response.body = buffer_.substr(body_start, length);
  buffer_.erase(0, body_start + length);
  return response;
}

PeerState HttpConnection::wait_for_close() {
  char chunk[4096];
  for (;;) {
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) {
      return PeerState::kClosed;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return PeerState::kOpen;  // Timed out with the connection still open.
    }
  }
}

std::string http_request(std::string_view method,
                         std::string_view target,
                         const std::vector<std::string>& headers,
                         std::string_view body) {
  std::string out;
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  for (const std::string& h : headers) {
    out.append(h).append("\r\n");
  }
  if (!body.empty() || method == "POST") {
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

std::optional<HttpResponse> http_fetch(uint16_t port,
                                       std::string_view method,
                                       std::string_view target,
                                       std::vector<std::string> headers,
                                       std::string_view body) {
  HttpConnection connection(port);
  headers.emplace_back("Connection: close");
  if (!connection.connected() || !connection.send(http_request(method, target, headers, body))) {
    return std::nullopt;
  }
  return connection.read_response();
}

}  // namespace segd::test
