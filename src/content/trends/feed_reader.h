#pragma once
// Fetching and parsing a brand's feeds through the shared net::HttpClient, a few at a time.
// Each feed is a GET with the limits below and the client's egress policy (tenant URLs: the
// default policy refuses loopback, private, link-local and metadata addresses after DNS,
// redirects included, unless the operator set AUTOBLOG_EGRESS_ALLOW_PRIVATE). No retries here:
// a feed that fails is reported in its FeedOutcome and the job moves on to the others.
// Parsing runs on the calling executor (a 1 MB feed takes a few milliseconds; bench/).
// Thread-safety: read_feeds may be called concurrently; the client must outlive the call.
// Cancelling the awaiting coroutine cancels every fetch in flight (operation_aborted).
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "content/trends/discovery.h"

namespace autoblog::net {
class HttpClient;
}

namespace autoblog::content::trends {

struct FeedLimits {
  std::chrono::milliseconds timeout{10000};  // whole fetch of one feed, redirects included
  std::size_t max_bytes = 5u << 20;          // response body cap
  int max_redirects = 3;
  std::size_t parallel = 4;  // feeds fetched at once
};

// One outcome per URL, in the order given.
boost::asio::awaitable<std::vector<FeedOutcome>> read_feeds(net::HttpClient& client,
                                                            const std::vector<std::string>& urls,
                                                            const FeedLimits& limits);

}  // namespace autoblog::content::trends
