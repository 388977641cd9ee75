// Unit tests for http::check_framing (RFC 9112 §6.3 and §3.2): the cases a smuggling attempt
// uses must be refused, ordinary requests must pass.
#include "http/framing.h"

#include <gtest/gtest.h>

namespace autoblog::http {
namespace {

RequestHead head(std::vector<std::string_view> te, bool cl = false, std::size_t hosts = 1,
                 unsigned version = 11) {
  return RequestHead{version, std::move(te), cl, hosts};
}

TEST(Framing, OrdinaryRequestsPass) {
  EXPECT_FALSE(check_framing(head({})));
  EXPECT_FALSE(check_framing(head({}, true)));
  EXPECT_FALSE(check_framing(head({"chunked"})));
  EXPECT_FALSE(check_framing(head({"Chunked "})));
  EXPECT_FALSE(check_framing(head({}, false, 0, 10)));  // HTTP/1.0 needs no Host
}

TEST(Framing, FinalCodingMustBeChunked) {
  for (auto te : {"gzip", "chunked, identity", "identity", "chunked,gzip", ","}) {
    auto e = check_framing(head({te}));
    ASSERT_TRUE(e) << te;
    EXPECT_EQ(e->status, 400u) << te;
  }
  // Across several fields, the last coding of the last field counts.
  auto e = check_framing(head({"chunked", "gzip"}));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 400u);
}

TEST(Framing, OtherCodingsBeforeChunkedAreNotImplemented) {
  auto e = check_framing(head({"gzip, chunked"}));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 501u);
  e = check_framing(head({"chunked", "chunked"}));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 501u);
}

TEST(Framing, AmbiguousOrMissingHeadsAreBadRequests) {
  EXPECT_EQ(check_framing(head({"chunked"}, true))->status, 400u);   // TE + Content-Length
  EXPECT_EQ(check_framing(head({}, false, 0))->status, 400u);        // HTTP/1.1 without Host
  EXPECT_EQ(check_framing(head({}, false, 2))->status, 400u);        // two Hosts
  EXPECT_EQ(check_framing(head({}, false, 2, 10))->status, 400u);
  EXPECT_EQ(check_framing(head({"chunked"}, false, 1, 10))->status, 400u);  // TE in HTTP/1.0
}

}  // namespace
}  // namespace autoblog::http

// ---- request targets (http/wire.h) ----
#include "http/wire.h"

namespace autoblog::http {
namespace {

TEST(RequestTarget, AbsoluteFormGivesTheSamePathAndQueryAsOriginForm) {
  Request a, b;
  ASSERT_TRUE(fill_target(a, "/v1/content?status=briefed&limit=5"));
  ASSERT_TRUE(fill_target(b, "HTTP://blog.example:8080/v1/content?status=briefed&limit=5"));
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.query, b.query);
  Request c;
  ASSERT_TRUE(fill_target(c, "http://blog.example"));
  EXPECT_EQ(c.path, "/");
  Request bad;
  EXPECT_FALSE(fill_target(bad, "http://exa mple/"));
  EXPECT_FALSE(fill_target(bad, "/x?a=%zz"));
}

}  // namespace
}  // namespace autoblog::http
