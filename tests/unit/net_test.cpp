// Unit tests for net's pure helpers: Retry-After parsing, backoff, idempotency, and the egress
// policy's address classification.
#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>
#include <chrono>

#include "net/egress_policy.h"
#include "net/http_client.h"

namespace autoblog::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(EgressPolicy, ClassifiesAddressRanges) {
  const EgressPolicy policy;
  const auto allowed = [&](const char* a) { return policy(asio::ip::make_address(a)); };
  for (const char* internal :
       {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "169.254.169.254", "0.0.0.0", "100.64.0.1", "224.0.0.1", "255.255.255.255", "::", "::1",
        "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"}) {
    EXPECT_FALSE(allowed(internal)) << internal;
  }
  for (const char* external : {"8.8.8.8", "172.32.0.1", "192.169.0.1", "1.1.1.1",
                               "2001:4860:4860::8888", "::ffff:8.8.8.8"}) {
    EXPECT_TRUE(allowed(external)) << external;
  }
  EXPECT_TRUE(EgressPolicy{true}(asio::ip::make_address("127.0.0.1")));
}

TEST(RetryAfter, ParsesSecondsAndHttpDates) {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // 21 Oct 2015 07:28:00
  EXPECT_EQ(parse_retry_after("1", now), 1000ms);
  EXPECT_EQ(parse_retry_after(" 120 ", now), 120000ms);
  EXPECT_EQ(parse_retry_after("0", now), 0ms);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), 30000ms);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), 0ms);  // in the past
  EXPECT_EQ(parse_retry_after("99999999999999999999999", now), std::chrono::milliseconds::max());
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-1", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT junk", now), std::nullopt);
}

TEST(Backoff, DoublesWithJitterUpToTheCap) {
  RetryPolicy p;
  p.base_delay = 100ms;
  p.max_delay = 1000ms;
  EXPECT_EQ(backoff_delay(p, 1, 0.0), 50ms);
  EXPECT_EQ(backoff_delay(p, 1, 0.999999), 99ms);
  EXPECT_EQ(backoff_delay(p, 2, 0.0), 100ms);
  EXPECT_EQ(backoff_delay(p, 3, 0.0), 200ms);
  EXPECT_EQ(backoff_delay(p, 10, 0.0), 500ms);  // capped at 1000, half of it fixed
  EXPECT_LE(backoff_delay(p, 60, 1.0), 1000ms);
  EXPECT_TRUE(is_idempotent("GET"));
  EXPECT_TRUE(is_idempotent("PUT"));
  EXPECT_TRUE(is_idempotent("DELETE"));
  EXPECT_FALSE(is_idempotent("POST"));
  EXPECT_FALSE(is_idempotent("PATCH"));
}

}  // namespace
}  // namespace autoblog::net
