// Integration tests for net::HttpClient against a small HTTP server inside the test
// (test_http_server.h: Beast on its own io_context thread), so no external service is needed.
// Tests wait for the server's recorded events instead of sleeping. Pure helpers (retry
// arithmetic, address classification) are unit-tested in tests/unit/net_test.cpp.
#include "net/http_client.h"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "test_http_server.h"

namespace autoblog::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using test_support::Hang;
using test_support::Ok;
using test_support::Status;
using test_support::TestServer;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// The client under test, on its own io_context thread.

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override { make_client(true); }
  void TearDown() override { stop(); }

  void make_client(bool allow_private) {
    stop();
    ioc_.emplace();
    work_.emplace(ioc_->get_executor());
    ClientOptions options;
    options.egress.allow_private = allow_private;
    client_ = std::make_unique<HttpClient>(ioc_->get_executor(), options);
    thread_ = std::thread([this] { ioc_->run(); });
  }
  // The client is destroyed with no thread running its io_context, as its header requires.
  void stop() {
    if (!ioc_) return;
    work_.reset();
    ioc_->stop();
    thread_.join();
    client_.reset();
    ioc_.reset();
  }

  template <class T>
  T Run(asio::awaitable<T> task) {
    return asio::co_spawn(*ioc_, std::move(task), asio::use_future).get();
  }
  HttpResponse Send(HttpRequest request) { return Run(client_->send(std::move(request))); }

  static HttpRequest Get(std::string url) {
    HttpRequest r;
    r.url = std::move(url);
    r.options.timeout = 5s;
    return r;
  }

  std::optional<asio::io_context> ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::unique_ptr<HttpClient> client_;
  std::thread thread_;
};

TEST_F(HttpClientTest, SendsMethodHeadersAndBodyAndReturnsTheResponse) {
  TestServer server([](const TestServer::Request& r) {
    TestServer::Reply reply = Ok("echo:" + r.body);
    reply.status = 201;
    reply.headers = {{"X-Reply", "yes"}, {"Content-Type", "text/plain"}};
    return reply;
  });
  HttpRequest r = Get(server.url("/things?x=1"));
  r.method = "POST";
  r.headers = {{"X-Custom", "abc"}, {"Content-Type", "application/json"}};
  r.body = std::string("{\"a\":1}\0bin", 11);
  const HttpResponse res = Send(r);
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(res.body, "echo:" + r.body);
  EXPECT_EQ(res.header("x-reply"), "yes");
  EXPECT_EQ(res.header("Content-Type"), "text/plain");
  EXPECT_EQ(res.header("missing"), "");
  EXPECT_EQ(res.attempts, 1);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/things?x=1");
  EXPECT_EQ(seen[0].headers.at("x-custom"), "abc");
  EXPECT_EQ(seen[0].headers.at("content-type"), "application/json");
  EXPECT_EQ(seen[0].body, r.body);
}

TEST_F(HttpClientTest, PutDeleteAndHeadUseTheirMethods) {
  TestServer server([](const TestServer::Request& r) { return Ok(r.method); });
  HttpRequest put = Get(server.url("/k"));
  put.method = "PUT";
  put.body = "data";
  EXPECT_EQ(Send(put).body, "PUT");
  HttpRequest del = Get(server.url("/k"));
  del.method = "DELETE";
  EXPECT_EQ(Send(del).body, "DELETE");
  HttpRequest head = Get(server.url("/k"));
  head.method = "HEAD";
  EXPECT_EQ(Send(head).body, "");
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].body, "data");
  // A body without Content-Type is labelled as bytes, not as a form.
  EXPECT_EQ(seen[0].headers.at("content-type"), "application/octet-stream");
  EXPECT_EQ(seen[2].method, "HEAD");
}

TEST_F(HttpClientTest, ErrorStatusThrowsHttpErrorUnlessAskedForTheResponse) {
  TestServer server([](const TestServer::Request&) {
    TestServer::Reply reply = Ok("{\"error\":\"nope\"}");
    reply.status = 404;
    return reply;
  });
  try {
    Send(Get(server.url("/missing")));
    ADD_FAILURE() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status, 404);
    EXPECT_EQ(e.body, "{\"error\":\"nope\"}");
  }
  HttpRequest r = Get(server.url("/missing"));
  r.options.throw_on_http_error = false;
  EXPECT_EQ(Send(r).status, 404);
}

TEST_F(HttpClientTest, TotalDeadlineAgainstASilentServerIsTimeoutAndClosesTheConnection) {
  TestServer server([](const TestServer::Request&) { return Hang(); });
  HttpRequest r = Get(server.url("/slow"));
  r.options.timeout = 300ms;
  const auto start = Clock::now();
  EXPECT_THROW(Send(r), Timeout);
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 300ms + 700ms);  // slack for a loaded test machine
  EXPECT_TRUE(server.wait_closed(1)) << "the client kept the timed-out connection open";
  EXPECT_EQ(client_->in_flight(), 0u);
}

TEST_F(HttpClientTest, DeadlineCoversRetriesToo) {
  TestServer server([](const TestServer::Request&) { return Status(503); });
  HttpRequest r = Get(server.url("/"));
  r.options.timeout = 400ms;
  r.options.retry.max_attempts = 100;
  r.options.retry.base_delay = 50ms;
  r.options.retry.max_delay = 100ms;
  const auto start = Clock::now();
  try {
    Send(r);
    ADD_FAILURE() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status, 503);  // the last answer, once no retry fits before the deadline
  }
  EXPECT_LT(Clock::now() - start, 400ms + 500ms);
  EXPECT_GE(server.requests().size(), 2u);
}

TEST_F(HttpClientTest, ResponseLargerThanTheCapIsResponseTooLarge) {
  TestServer server([](const TestServer::Request& r) {
    TestServer::Reply reply = Ok(std::string(10000, 'x'));
    reply.chunked = r.target == "/chunked";  // no Content-Length: counted while receiving
    return reply;
  });
  for (const char* path : {"/sized", "/chunked"}) {
    HttpRequest r = Get(server.url(path));
    r.options.max_response_bytes = 1000;
    EXPECT_THROW(Send(r), ResponseTooLarge) << path;
    r.options.max_response_bytes = 10000;  // exactly at the cap is fine
    EXPECT_EQ(Send(r).body.size(), 10000u) << path;
  }
  // A HEAD announces the size without sending it: not too large.
  HttpRequest head = Get(server.url("/sized"));
  head.method = "HEAD";
  head.options.max_response_bytes = 1000;
  const HttpResponse res = Send(head);
  EXPECT_EQ(res.header("content-length"), "10000");
  EXPECT_EQ(res.body, "");
}

TEST_F(HttpClientTest, RedirectsAreFollowedUpToTheLimit) {
  // /hop/N redirects to /hop/N-1; /hop/0 answers.
  TestServer server([](const TestServer::Request& r) {
    const int n = std::stoi(r.target.substr(5));
    if (n == 0) return Ok("arrived");
    TestServer::Reply reply;
    reply.status = 302;
    reply.headers = {{"Location", "/hop/" + std::to_string(n - 1)}};
    return reply;
  });
  HttpRequest r = Get(server.url("/hop/3"));
  // Default 0: the redirect itself is the answer.
  const HttpResponse first = Send(r);
  EXPECT_EQ(first.status, 302);
  EXPECT_EQ(first.header("location"), "/hop/2");
  r.options.max_redirects = 2;
  EXPECT_THROW(Send(r), TooManyRedirects);
  r.options.max_redirects = 3;
  EXPECT_EQ(Send(r).body, "arrived");
}

TEST_F(HttpClientTest, RetryAfterOn503IsHonouredThenSucceeds) {
  int calls = 0;
  TestServer server([&calls](const TestServer::Request&) {
    if (++calls == 1) {
      TestServer::Reply reply;
      reply.status = 503;
      reply.headers = {{"Retry-After", "1"}};
      return reply;
    }
    return Ok("second time");
  });
  HttpRequest r = Get(server.url("/"));
  r.options.retry.max_attempts = 3;
  r.options.retry.base_delay = 10ms;  // far below Retry-After: the header must win
  const HttpResponse res = Send(r);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "second time");
  EXPECT_EQ(res.attempts, 2);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_GE(seen[1].at - seen[0].at, 1000ms);
}

TEST_F(HttpClientTest, ClientErrorsAreNotRetried) {
  TestServer server([](const TestServer::Request&) { return Status(400); });
  HttpRequest r = Get(server.url("/"));
  r.options.retry.max_attempts = 5;
  r.options.retry.base_delay = 1ms;
  EXPECT_THROW(Send(r), HttpError);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(HttpClientTest, ServerErrorsAreRetriedOnlyForIdempotentRequestsOrOnRequest) {
  TestServer server([](const TestServer::Request&) { return Status(500); });
  HttpRequest r = Get(server.url("/"));
  r.method = "POST";
  r.options.retry.max_attempts = 3;
  r.options.retry.base_delay = 1ms;
  EXPECT_THROW(Send(r), HttpError);
  EXPECT_EQ(server.requests().size(), 1u);
  r.options.retry.non_idempotent = true;
  EXPECT_THROW(Send(r), HttpError);
  EXPECT_EQ(server.requests().size(), 4u);
  r.method = "GET";
  r.options.retry.non_idempotent = false;
  EXPECT_THROW(Send(r), HttpError);
  EXPECT_EQ(server.requests().size(), 7u);
}

TEST_F(HttpClientTest, RefusedConnectionIsConnectFailed) {
  int port = 0;
  {
    TestServer probe([](const TestServer::Request&) { return Ok(); });
    port = probe.port();
  }  // closed: nothing listens there now
  HttpRequest r = Get("http://127.0.0.1:" + std::to_string(port) + "/");
  r.options.retry.max_attempts = 2;
  r.options.retry.base_delay = 1ms;
  EXPECT_THROW(Send(r), ConnectFailed);
}

TEST_F(HttpClientTest, MalformedUrlIsInvalidRequest) {
  EXPECT_THROW(Send(Get("ftp://127.0.0.1/")), InvalidRequest);
  EXPECT_THROW(Send(Get("http://")), InvalidRequest);
}

TEST_F(HttpClientTest, EgressPolicyRefusesLoopbackByDefaultAndAllowsItWhenAsked) {
  TestServer server([](const TestServer::Request&) { return Ok("reached"); });
  make_client(/*allow_private=*/false);
  EXPECT_THROW(Send(Get(server.url("/"))), EgressRefused);
  // A name that resolves to loopback is refused just the same: the check is on the address.
  EXPECT_THROW(Send(Get("http://localhost:" + std::to_string(server.port()) + "/")), EgressRefused);
  EXPECT_EQ(server.connections(), 0);
  // A per-request hook overrides the client's default.
  HttpRequest r = Get(server.url("/"));
  r.options.egress = EgressPolicy{true};
  EXPECT_EQ(Send(r).body, "reached");
  make_client(/*allow_private=*/true);
  EXPECT_EQ(Send(Get(server.url("/"))).body, "reached");
}

TEST_F(HttpClientTest, EgressPolicyAlsoChecksRedirectTargets) {
  TestServer server([](const TestServer::Request& r) {
    if (r.target == "/final") return Ok("final");
    TestServer::Reply reply = Status(302);
    const std::string host = r.target == "/inside" ? "127.0.0.2" : "127.0.0.1";
    reply.headers = {
        {"Location", "http://" + host + ":" + r.headers.at("host").substr(10) + "/final"}};
    return reply;
  });
  std::vector<std::string> seen;
  HttpRequest r = Get(server.url("/outside"));
  r.options.max_redirects = 1;
  r.options.egress = [&seen](const asio::ip::address& a) {
    seen.push_back(a.to_string());
    return a.to_string() != "127.0.0.2";
  };
  EXPECT_EQ(Send(r).body, "final");
  r.url = server.url("/inside");
  EXPECT_THROW(Send(r), EgressRefused);
  EXPECT_EQ(seen.back(), "127.0.0.2");
  EXPECT_EQ(server.requests().size(), 3u);  // the refused hop never reached a server
}

TEST_F(HttpClientTest, CancellationReleasesTheTransferAndTheClientKeepsWorking) {
  TestServer server([](const TestServer::Request& r) {
    TestServer::Reply reply = Ok("fine");
    reply.hang = r.target == "/hang";
    return reply;
  });
  using namespace asio::experimental::awaitable_operators;
  HttpRequest hang = Get(server.url("/hang"));
  auto race = [&]() -> asio::awaitable<std::size_t> {
    asio::steady_timer timer(co_await asio::this_coro::executor, 200ms);
    auto winner = co_await (client_->send(hang) || timer.async_wait(asio::use_awaitable));
    co_return winner.index();
  };
  EXPECT_EQ(Run(race()), 1u);  // the timer won; send() was cancelled
  EXPECT_TRUE(server.wait_closed(1)) << "the cancelled transfer's connection stayed open";
  EXPECT_EQ(client_->in_flight(), 0u);
  // The cancelled send() itself reports operation_aborted.
  auto direct = [&]() -> asio::awaitable<bool> {
    asio::cancellation_signal signal;
    asio::steady_timer timer(co_await asio::this_coro::executor, 100ms);
    timer.async_wait(
        [&](boost::system::error_code) { signal.emit(asio::cancellation_type::terminal); });
    try {
      co_await asio::co_spawn(co_await asio::this_coro::executor, client_->send(hang),
                              asio::bind_cancellation_slot(signal.slot(), asio::use_awaitable));
    } catch (const boost::system::system_error& e) {
      co_return e.code() == asio::error::operation_aborted;
    }
    co_return false;
  };
  EXPECT_TRUE(Run(direct()));
  EXPECT_TRUE(server.wait_closed(2));
  EXPECT_EQ(Send(Get(server.url("/after"))).body, "fine");
}

TEST_F(HttpClientTest, CancellationAlsoEndsARetryWait) {
  TestServer server([](const TestServer::Request&) {
    TestServer::Reply reply = Status(503);
    reply.headers = {{"Retry-After", "5"}};
    return reply;
  });
  using namespace asio::experimental::awaitable_operators;
  HttpRequest r = Get(server.url("/"));
  r.options.timeout = 10s;
  r.options.retry.max_attempts = 2;
  auto race = [&]() -> asio::awaitable<std::size_t> {
    asio::steady_timer timer(co_await asio::this_coro::executor, 300ms);
    auto winner = co_await (client_->send(r) || timer.async_wait(asio::use_awaitable));
    co_return winner.index();
  };
  const auto start = Clock::now();
  EXPECT_EQ(Run(race()), 1u);
  EXPECT_LT(Clock::now() - start, 2s);  // not the 5 s Retry-After
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(HttpClientTest, ShutdownAbortsInFlightTransfersAndRefusesNewOnes) {
  TestServer server([](const TestServer::Request&) { return Hang(); });
  auto future = asio::co_spawn(*ioc_, client_->send(Get(server.url("/"))), asio::use_future);
  ASSERT_TRUE(server.wait_requests(1));
  client_->shutdown();
  try {
    future.get();
    ADD_FAILURE() << "expected operation_aborted";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), asio::error::operation_aborted);
  }
  EXPECT_TRUE(server.wait_closed(1));
  EXPECT_THROW(Send(Get(server.url("/"))), Error);
}

TEST_F(HttpClientTest, ManyConcurrentRequestsAndConnectionReuse) {
  TestServer server([](const TestServer::Request& r) { return Ok("reply" + r.target); });
  // Sequential requests reuse one kept-alive connection.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Send(Get(server.url("/seq"))).body, "reply/seq");
  EXPECT_EQ(server.connections(), 1);

  constexpr int kRequests = 64;
  std::vector<std::future<HttpResponse>> futures;
  for (int i = 0; i < kRequests; ++i) {
    futures.push_back(asio::co_spawn(
        *ioc_, client_->send(Get(server.url("/n" + std::to_string(i)))), asio::use_future));
  }
  for (int i = 0; i < kRequests; ++i) {
    EXPECT_EQ(futures[i].get().body, "reply/n" + std::to_string(i));
  }
  EXPECT_EQ(server.requests().size(), 3u + kRequests);
  EXPECT_EQ(client_->in_flight(), 0u);
}

TEST_F(HttpClientTest, AwsSigV4IsPassedToCurl) {
  TestServer server([](const TestServer::Request&) { return Ok(); });
  HttpRequest r = Get(server.url("/bucket/key"));
  r.options.aws_sigv4 = AwsSigV4{"aws:amz:us-east-1:s3", "AKID", "SECRET"};
  r.headers = {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  Send(r);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].headers.at("authorization").rfind("AWS4-HMAC-SHA256 Credential=AKID/", 0), 0u)
      << seen[0].headers.at("authorization");
  EXPECT_NE(seen[0]
                .headers.at("authorization")
                .find("SignedHeaders=host;x-amz-content-sha256;x-amz-date,"),
            std::string::npos)
      << seen[0].headers.at("authorization");
  EXPECT_EQ(seen[0].headers.count("x-amz-date"), 1u);
}

// A finished client leaves no work behind: a CLI command running the io_context to completion
// (app::run_to_completion) returns once its last request is done.
TEST(HttpClientIdle, RunReturnsWhenNothingIsInFlight) {
  TestServer server([](const TestServer::Request&) { return Ok("done"); });
  asio::io_context ioc;
  HttpClient client(ioc.get_executor(), ClientOptions{EgressPolicy{true}});
  for (int i = 0; i < 2; ++i) {
    HttpRequest r;
    r.url = server.url("/");
    auto future = asio::co_spawn(ioc, client.send(r), asio::use_future);
    ioc.restart();
    ioc.run();  // returns only when no timer or socket wait is left
    EXPECT_EQ(future.get().body, "done");
  }
}

}  // namespace
}  // namespace autoblog::net
