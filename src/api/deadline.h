#pragma once
// Health checks with a deadline each: a dependency that hangs (an S3 endpoint that accepts
// connections and never answers) must turn into "fail" on time, not hang the health endpoint.
#include <boost/asio/awaitable.hpp>
#include <chrono>

namespace autoblog::api {

// True when `check` finishes with true before `deadline`; false when it throws, returns false or
// overruns. An overrunning check keeps running detached to completion, so it must own (or
// outlive-safely borrow) everything it uses.
boost::asio::awaitable<bool> within(boost::asio::awaitable<bool> check,
                                    std::chrono::milliseconds deadline);

}  // namespace autoblog::api
