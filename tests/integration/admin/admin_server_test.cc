// The admin HTTP server over real sockets on 127.0.0.1: endpoints, authorization and the
// robustness limits.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "server_fixture.h"

namespace segd::test {
namespace {

using std::chrono::milliseconds;

const std::vector<std::string> kGoodToken = {"Authorization: Bearer s3cret"};

io::AdminConfig with_token() {
  io::AdminConfig config;
  config.token = "s3cret";
  return config;
}

TEST_F(AdminServerTest, HealthzAnswersOk) {
  start();
  auto r = fetch("GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok\n");
}

TEST_F(AdminServerTest, ReadyzFollowsTheBackend) {
  start();
  backend_.set_ready(false);
  auto not_ready = fetch("GET", "/readyz");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  backend_.set_ready(true);
  auto ready = fetch("GET", "/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
}

TEST_F(AdminServerTest, MetricsServesTheTextExposition) {
  io::PipelineSnapshot s;
  s.topics["clicks"].consumed = 44;
  s.topics["clicks"].processed = 42;
  backend_.set_snapshot(s);
  backend_.put_customer("c1", {"vip"});
  start();
  auto r = fetch("GET", "/metrics?x=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r->body.find("segd_events_processed_total{topic=\"clicks\"} 42\n"), std::string::npos);
  EXPECT_NE(r->body.find("segd_segment_members{segment=\"vip\"} 1\n"), std::string::npos);
  EXPECT_NE(r->body.find("segd_build_info{version=\"1.2.3-test\"} 1\n"), std::string::npos);
}

TEST_F(AdminServerTest, KnownCustomerIsReturned) {
  backend_.put_customer("c42", {"vip"});
  start();
  auto r = fetch("GET", "/v1/customers/c42");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_EQ(r->body, R"({"customer_id":"c42","segments":["vip"]})");
}

TEST_F(AdminServerTest, UnknownCustomerIs404Json) {
  start();
  auto r = fetch("GET", "/v1/customers/nobody");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, R"({"error":"unknown_customer","message":"no customer with id nobody"})");
}

TEST_F(AdminServerTest, CustomerIdIsPercentDecoded) {
  backend_.put_customer("c 42/ü", {});
  start();
  auto r = fetch("GET", "/v1/customers/c%2042%2F%C3%BC");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"customer_id":"c 42/ü","segments":[]})");
}

TEST_F(AdminServerTest, BadCustomerIdsAre400) {
  start();
  for (const std::string& target :
       std::vector<std::string>{"/v1/customers/c%4", "/v1/customers/c%zz", "/v1/customers/%0A",
                                "/v1/customers/", "/v1/customers/" + std::string(129, 'x')}) {
    auto r = fetch("GET", target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << target;
    EXPECT_NE(r->body.find("\"error\":\"bad_"), std::string::npos) << r->body;
  }
}

TEST_F(AdminServerTest, SegmentsAreListedWithMembers) {
  backend_.put_customer("a", {"vip"});
  backend_.put_customer("b", {"vip", "churn_risk"});
  start();
  auto r = fetch("GET", "/v1/segments");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body,
            R"([{"name":"vip","enter":"clv_365d > 500","exit":"","members":2},)"
            R"({"name":"churn_risk","enter":"p_alive < 0.3","exit":"p_alive > 0.5","members":1}])");
}

TEST_F(AdminServerTest, ErasureWithTokenReportsExitedSegments) {
  backend_.put_customer("c7", {"churn_risk", "vip"});
  start(with_token());
  auto r = fetch("DELETE", "/v1/customers/c7", kGoodToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body,
            R"({"customer_id":"c7","existed":true,"exited_segments":["churn_risk","vip"]})");
  auto again = fetch("DELETE", "/v1/customers/c7", kGoodToken);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, R"({"customer_id":"c7","existed":false,"exited_segments":[]})");
}

TEST_F(AdminServerTest, ErasureWrittenToTheErasureTopicIs202WithWhereItWent) {
  backend_.put_customer("c7", {"vip"});
  backend_.set_erasure_topic("erasures");
  start(with_token());
  auto r = fetch("DELETE", "/v1/customers/c7", kGoodToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body, R"({"customer_id":"c7","status":"accepted","topic":"erasures","partition":3,)"
                     R"("offset":41,"event_id":"erasure-7"})");
  backend_.set_customer_error(
      core::Error{"erasure_unconfirmed", "the erasure event was not confirmed within 4000 ms"});
  auto unconfirmed = fetch("DELETE", "/v1/customers/c7", kGoodToken);
  ASSERT_TRUE(unconfirmed);
  EXPECT_EQ(unconfirmed->status, 503);
  EXPECT_NE(unconfirmed->body.find(R"("error":"erasure_unconfirmed")"), std::string::npos);
}

TEST_F(AdminServerTest, CustomerOfAnotherInstanceIs409AndNoAssignmentYetIs503) {
  backend_.put_customer("c7", {"vip"});
  start(with_token());
  backend_.set_customer_error(
      core::Error{"not_assigned", "the customer's partition 2 is owned by another instance"});
  for (const char* method : {"GET", "DELETE"}) {
    auto r = fetch(method, "/v1/customers/c7", kGoodToken);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 409) << method;
    EXPECT_EQ(r->body,
              R"({"error":"not_assigned","message":"the customer's partition 2 is owned by )"
              R"(another instance"})")
        << method;
  }
  backend_.set_customer_error(core::Error{"not_ready", "no partitions assigned yet"});
  auto r = fetch("GET", "/v1/customers/c7");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  backend_.set_customer_error(core::Error{"storage", "disk on fire"});
  r = fetch("GET", "/v1/customers/c7");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
}

TEST_F(AdminServerTest, MissingOrWrongTokenIs401WithChallenge) {
  backend_.put_customer("c7", {"vip"});
  start(with_token());
  for (const std::vector<std::string>& headers :
       {std::vector<std::string>{}, std::vector<std::string>{"Authorization: Bearer s3creT"},
        std::vector<std::string>{"Authorization: Bearer s3cret2"},
        std::vector<std::string>{"Authorization: Basic czNjcmV0"}}) {
    auto r = fetch("DELETE", "/v1/customers/c7", headers);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->header("www-authenticate"), "Bearer realm=\"segd\"");
    auto reload = fetch("POST", "/v1/rules/reload", headers);
    ASSERT_TRUE(reload);
    EXPECT_EQ(reload->status, 401);
  }
  EXPECT_EQ(backend_.erase_calls(), 0);
}

TEST_F(AdminServerTest, MutatingEndpointsAre403WithoutConfiguredToken) {
  start();
  for (const auto& [method, target] :
       {std::pair{"DELETE", "/v1/customers/c7"}, std::pair{"POST", "/v1/rules/reload"}}) {
    auto r = fetch(method, target, kGoodToken);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403);
    EXPECT_NE(r->body.find("mutating endpoints are disabled: set admin.token"), std::string::npos);
  }
  EXPECT_EQ(backend_.erase_calls(), 0);
}

TEST_F(AdminServerTest, RuleReloadReturnsTheNewSegments) {
  backend_.set_reload(std::vector<io::SegmentSummary>{{"new_seg", "n_events > 3", "", 0}});
  start(with_token());
  auto r = fetch("POST", "/v1/rules/reload", kGoodToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"([{"name":"new_seg","enter":"n_events > 3","exit":"","members":0}])");
}

TEST_F(AdminServerTest, FailedRuleReloadIs400AndKeepsTheOldRules) {
  backend_.set_reload(core::fail("rule_syntax", "segments.yaml:3: unexpected ')'"));
  start(with_token());
  auto r = fetch("POST", "/v1/rules/reload", kGoodToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body, R"({"error":"rule_syntax","message":"segments.yaml:3: unexpected ')'"})");
  auto segments = fetch("GET", "/v1/segments");
  ASSERT_TRUE(segments);
  EXPECT_NE(segments->body.find("\"name\":\"vip\""), std::string::npos);
}

// A valid file whose reload could not be applied (the commit before it failed, a Kafka error) is
// the server's failure, not the caller's: 500, or 503 where trying again may help.
TEST_F(AdminServerTest, RuleReloadFailingForAnotherReasonThanTheFileIsNot400) {
  start(with_token());
  const std::pair<const char*, int> cases[] = {
      {"storage.io_error", 500}, {"dead_letters_unconfirmed", 500},
      {"kafka.transport", 503},  {"shutting_down", 503},
      {"pipeline_busy", 503},    {"rules_file", 400}};
  for (const auto& [code, status] : cases) {
    backend_.set_reload(core::fail(code, "what happened"));
    auto r = fetch("POST", "/v1/rules/reload", kGoodToken);
    ASSERT_TRUE(r) << code;
    EXPECT_EQ(r->status, status) << code;
    EXPECT_EQ(r->body, std::string(R"({"error":")") + code + R"(","message":"what happened"})")
        << code;
  }
}

TEST_F(AdminServerTest, UnknownPathIs404) {
  start();
  for (const char* target : {"/", "/nope", "/v1/customers/a/b", "/metricsx", "http://h"}) {
    auto r = fetch("GET", target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 404) << target;
  }
}

TEST_F(AdminServerTest, WrongMethodIs405WithAllow) {
  start(with_token());
  auto post_metrics = fetch("POST", "/metrics");
  ASSERT_TRUE(post_metrics);
  EXPECT_EQ(post_metrics->status, 405);
  EXPECT_EQ(post_metrics->header("allow"), "GET, HEAD");
  auto put_customer = fetch("PUT", "/v1/customers/c1", kGoodToken);
  ASSERT_TRUE(put_customer);
  EXPECT_EQ(put_customer->status, 405);
  EXPECT_EQ(put_customer->header("allow"), "GET, HEAD, DELETE");
  auto get_reload = fetch("GET", "/v1/rules/reload");
  ASSERT_TRUE(get_reload);
  EXPECT_EQ(get_reload->header("allow"), "POST");
}

// A HEAD response has the GET's status and headers but no body (RFC 9110 9.3.2): a body would
// be read as the start of the next response on the connection.
TEST_F(AdminServerTest, HeadAnswersLikeGetWithoutABody) {
  start();
  HttpConnection c(port());
  ASSERT_TRUE(c.send(http_request("HEAD", "/healthz") + http_request("HEAD", "/v1/segments") +
                     http_request("GET", "/healthz")));
  auto health = c.read_response(/*head_request=*/true);
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->header("content-length"), "3") << "the length of a GET's body, ok\\n";
  auto segments = c.read_response(/*head_request=*/true);
  ASSERT_TRUE(segments);
  EXPECT_EQ(segments->status, 200);
  EXPECT_EQ(segments->header("content-type"), "application/json");
  auto get = c.read_response();
  ASSERT_TRUE(get) << "the connection is out of step";
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "ok\n");
}

TEST_F(AdminServerTest, MalformedRequestIs400AndClosed) {
  start();
  for (const char* raw : {"GARBAGE\r\n\r\n", "GET /healthz HTTP/9\r\n\r\n",
                          "GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n",
                          "GET /healthz HTTP/1.1\r\nContent-Length: x\r\n\r\n"}) {
    HttpConnection c(port());
    ASSERT_TRUE(c.send(raw));
    auto r = c.read_response();
    ASSERT_TRUE(r) << raw;
    EXPECT_EQ(r->status, 400) << raw;
    EXPECT_EQ(c.wait_for_close(), PeerState::kClosed) << raw;
  }
}

TEST_F(AdminServerTest, OversizedBodyIs413EvenWhileTheBodyArrives) {
  io::AdminConfig config = with_token();
  config.max_body_bytes = 1024;
  start(config);
  // Declared too large: refused from the headers alone.
  HttpConnection d(port());
  ASSERT_TRUE(
      d.send("POST /v1/rules/reload HTTP/1.1\r\nAuthorization: Bearer s3cret\r\n"
             "Content-Length: 2000000\r\n\r\n"));
  auto declared = d.read_response();
  ASSERT_TRUE(declared);
  EXPECT_EQ(declared->status, 413);
  // Actually sent: the reply must survive the unread rest of the body.
  HttpConnection c(port());
  ASSERT_TRUE(
      c.send(http_request("POST", "/v1/rules/reload", kGoodToken, std::string(64 << 10, 'x'))));
  auto sent = c.read_response();
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->status, 413);
}

// The server sent no interim 100: a strict client waiting for it before its body got no answer
// until the request timeout closed the connection (curl waits a second each time).
TEST_F(AdminServerTest, ExpectContinueGetsA100OrTheReplyTheHeadersDecide) {
  backend_.set_reload(std::vector<io::SegmentSummary>{{"new_seg", "n_events > 3", "", 0}});
  start(with_token());
  HttpConnection c(port(), std::chrono::seconds(2));
  ASSERT_TRUE(
      c.send("POST /v1/rules/reload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\n"
             "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
  auto interim = c.read_response();
  ASSERT_TRUE(interim) << "no 100 Continue before the body";
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.send("{}"));
  auto reloaded = c.read_response();
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded->status, 200);

  // Refused from its headers: answered at once, the body never asked for.
  HttpConnection d(port(), std::chrono::seconds(2));
  ASSERT_TRUE(
      d.send("POST /v1/rules/reload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n"
             "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
  auto refused = d.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(d.wait_for_close(), PeerState::kClosed);
}

TEST_F(AdminServerTest, OversizedHeadersAre431) {
  start();
  auto r = fetch("GET", "/healthz", {"X-Big: " + std::string(32 << 10, 'a')});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
}

TEST_F(AdminServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  backend_.put_customer("c1", {});
  start();
  HttpConnection c(port());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.send(http_request("GET", i % 2 == 0 ? "/healthz" : "/v1/customers/c1")));
    auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
  }
  // Two pipelined requests in one write.
  ASSERT_TRUE(c.send(http_request("GET", "/healthz") + http_request("GET", "/nope")));
  auto first = c.read_response();
  auto second = c.read_response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 404);
}

// Past the limit only the probes are answered: clients that hold every connection (keep-alive
// scrapers, a slow sender) must not make /healthz fail, which would get segd restarted.
TEST_F(AdminServerTest, ConnectionsBeyondTheLimitGet503ExceptProbes) {
  io::AdminConfig config;
  config.max_connections = 2;
  start(config);
  backend_.set_ready(true);
  HttpConnection a(port());
  HttpConnection b(port());
  for (HttpConnection* c : {&a, &b}) {  // Served and kept open.
    ASSERT_TRUE(c->send(http_request("GET", "/healthz")));
    auto r = c->read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  for (const std::string_view target : {"/v1/segments", "/metrics", "/nope"}) {
    auto extra = fetch("GET", target);
    ASSERT_TRUE(extra) << target;
    EXPECT_EQ(extra->status, 503) << target;
    EXPECT_NE(extra->body.find("too_many_connections"), std::string::npos) << target;
  }
  auto posted = fetch("POST", "/v1/rules/reload", {}, "rules: []");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 503);
  for (const std::string_view target : {"/healthz", "/readyz", "/readyz?verbose=1"}) {
    auto probe = fetch("GET", target);
    ASSERT_TRUE(probe) << target;
    EXPECT_EQ(probe->status, 200) << target << ": " << probe->body;
  }
  // A probe past the limit gets its answer and the connection closes (it holds no slot).
  HttpConnection c(port(), std::chrono::seconds(3));
  ASSERT_TRUE(c.send(http_request("HEAD", "/healthz")));
  auto r = c.read_response(/*head_request=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  static_cast<void>(c.send(http_request("GET", "/healthz")));  // Not read: no second reply.
  EXPECT_FALSE(c.read_response());
  EXPECT_EQ(c.wait_for_close(), PeerState::kClosed);
}

// A connection past the limit is read for at most a second: slow senders cannot hold those
// either (they are bounded by max_connections as well).
TEST_F(AdminServerTest, ASlowConnectionPastTheLimitIsCutOffWithinASecond) {
  io::AdminConfig config;
  config.max_connections = 1;
  config.request_timeout = milliseconds(5000);
  start(config);
  HttpConnection held(port());
  ASSERT_TRUE(held.send(http_request("GET", "/healthz")));
  ASSERT_TRUE(held.read_response());
  HttpConnection slow(port(), std::chrono::seconds(4));
  const auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(slow.send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));  // Never finished.
  EXPECT_EQ(slow.wait_for_close(), PeerState::kClosed);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(2500));
}

TEST_F(AdminServerTest, SlowClientIsCutOffAtTheRequestTimeout) {
  io::AdminConfig config;
  config.request_timeout = milliseconds(300);
  start(config);
  HttpConnection c(port(), std::chrono::seconds(3));
  const auto begin = std::chrono::steady_clock::now();
  // Trickle a header byte every 50 ms: progress must not extend the deadline.
  const std::string partial = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  ASSERT_TRUE(c.send(partial));
  bool still_sending = true;
  for (int i = 0; i < 40 && still_sending; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    still_sending = c.send("a");
  }
  EXPECT_EQ(c.wait_for_close(), PeerState::kClosed);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(1500));
}

TEST_F(AdminServerTest, IdleKeepAliveConnectionIsClosed) {
  io::AdminConfig config;
  config.request_timeout = milliseconds(200);
  start(config);
  HttpConnection c(port(), std::chrono::seconds(3));
  ASSERT_TRUE(c.send(http_request("GET", "/healthz")));
  ASSERT_TRUE(c.read_response());
  EXPECT_EQ(c.wait_for_close(), PeerState::kClosed);
}

TEST_F(AdminServerTest, ClosedServerRefusesNewConnections) {
  start();
  ASSERT_TRUE(fetch("GET", "/healthz"));
  ASSERT_TRUE(server_->close().has_value());
  ASSERT_TRUE(server_->close().has_value());  // Idempotent.
  // The listener closes on the io_context: poll briefly until connecting fails.
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    refused = !fetch("GET", "/healthz").has_value();
    if (!refused) {
      std::this_thread::sleep_for(milliseconds(10));
    }
  }
  EXPECT_TRUE(refused);
}

TEST(AdminServerCreateTest, BadHostOrBusyPortIsAnError) {
  boost::asio::io_context io;
  FakeBackend backend;
  io::MetricsExporter metrics("x");
  io::AdminConfig bad;
  bad.host = "not-an-address";
  auto r = io::AdminServer::create(io, bad, backend, metrics);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "admin_listen");

  io::AdminConfig any;
  any.port = 0;
  auto first = io::AdminServer::create(io, any, backend, metrics);
  ASSERT_TRUE(first);
  io::AdminConfig same;
  same.port = (*first)->port();
  auto second = io::AdminServer::create(io, same, backend, metrics);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, "admin_listen");
}

}  // namespace
}  // namespace segd::test
