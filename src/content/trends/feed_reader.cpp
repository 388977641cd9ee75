#include "content/trends/feed_reader.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/http_client.h"

namespace autoblog::content::trends {

namespace asio = boost::asio;

namespace {

asio::awaitable<FeedOutcome> read_one(net::HttpClient& client, std::string url, FeedLimits limits) {
  FeedOutcome out;
  out.url = url;
  auto fail = [&](const char* code, const std::string& message) {
    out.error = FeedProblem{code, message};
  };
  try {
    net::HttpRequest req;
    req.url = url;
    req.headers = {{"Accept",
                    "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                    "text/xml;q=0.9, */*;q=0.5"}};
    req.options.timeout = limits.timeout;
    req.options.connect_timeout = std::min(limits.timeout, std::chrono::milliseconds(5000));
    req.options.max_response_bytes = limits.max_bytes;
    req.options.max_redirects = limits.max_redirects;
    auto res = co_await client.send(std::move(req));
    out.feed = parse_feed(res.body, url);
  } catch (const net::Timeout& e) {
    fail("timeout", e.what());
  } catch (const net::ResponseTooLarge& e) {
    fail("too_large", e.what());
  } catch (const net::EgressRefused& e) {
    fail("egress_refused", e.what());
  } catch (const net::TooManyRedirects& e) {
    fail("too_many_redirects", e.what());
  } catch (const net::ConnectFailed& e) {
    fail("connect_failed", e.what());
  } catch (const net::HttpError& e) {
    fail("http_status", e.what());
  } catch (const net::InvalidRequest& e) {
    fail("invalid_url", e.what());
  } catch (const net::Error& e) {
    fail("transfer_failed", e.what());
  } catch (const FeedError& e) {
    fail("malformed", e.what());
  }
  co_return out;
}

}  // namespace

asio::awaitable<std::vector<FeedOutcome>> read_feeds(net::HttpClient& client,
                                                     const std::vector<std::string>& urls,
                                                     const FeedLimits& limits) {
  auto executor = co_await asio::this_coro::executor;
  using Op = decltype(asio::co_spawn(executor, read_one(client, {}, limits), asio::deferred));
  std::vector<FeedOutcome> out;
  out.reserve(urls.size());
  const std::size_t step = std::max<std::size_t>(1, limits.parallel);
  for (std::size_t first = 0; first < urls.size(); first += step) {
    std::vector<Op> ops;
    for (std::size_t i = first; i < std::min(urls.size(), first + step); ++i)
      ops.push_back(asio::co_spawn(executor, read_one(client, urls[i], limits), asio::deferred));
    auto [order, errors, results] =
        co_await asio::experimental::make_parallel_group(std::move(ops))
            .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);  // cancellation (or a bug): not a feed's failure
    for (auto& r : results) out.push_back(std::move(r));
  }
  co_return out;
}

}  // namespace autoblog::content::trends
