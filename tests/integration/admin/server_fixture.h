#pragma once

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <thread>

#include "fake_backend.h"
#include "http_client.h"
#include "io/admin/admin_server.h"
#include "io/admin/metrics.h"

namespace segd::test {

/// An AdminServer on 127.0.0.1 (free port) served by an io_context on its own thread, over a
/// FakeBackend. Call start() with the config to test.
class AdminServerTest : public ::testing::Test {
 protected:
  void start(io::AdminConfig config = {}) {
    config.port = 0;
    auto server = io::AdminServer::create(io_, config, backend_, metrics_);
    ASSERT_TRUE(server.has_value()) << server.error().message;
    server_ = std::move(*server);
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (server_) {
      ASSERT_TRUE(server_->close().has_value());
    }
    guard_.reset();
    io_.stop();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  [[nodiscard]] uint16_t port() const { return server_->port(); }

  std::optional<HttpResponse> fetch(std::string_view method,
                                    std::string_view target,
                                    std::vector<std::string> headers = {},
                                    std::string_view body = {}) {
    return http_fetch(port(), method, target, std::move(headers), body);
  }

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_{
      boost::asio::make_work_guard(io_)};
  FakeBackend backend_;
  io::MetricsExporter metrics_{"1.2.3-test"};
  std::unique_ptr<io::AdminServer> server_;
  std::thread thread_;
};

}  // namespace segd::test
