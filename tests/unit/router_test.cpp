#include <gtest/gtest.h>

#include "http/errors.h"
#include "http/router.h"

using namespace autoblog::http;

namespace {
Handler noop() {
  return [](Request&) -> boost::asio::awaitable<Response> { co_return Response{}; };
}

Router make_router() {
  Router r;
  r.add("GET", "/v1/content", Audience::kTenant, "", noop());
  r.add("POST", "/v1/content", Audience::kTenant, "", noop());
  r.add("GET", "/v1/content/{id}", Audience::kTenant, "", noop());
  r.add("PATCH", "/v1/content/{id}", Audience::kTenant, "", noop());
  r.add("GET", "/v1/content/{id}/performance", Audience::kTenant, "", noop());
  r.add("GET", "/v1/files/{key+}", Audience::kTenant, "", noop());
  r.add("GET", "/health", Audience::kPublic, "", noop());
  return r;
}
}  // namespace

TEST(Router, MatchesLiteralAndParameterRoutes) {
  auto r = make_router();
  auto m = r.match("GET", "/v1/content/abc");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->path_template, "/v1/content/{id}");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].first, "id");
  EXPECT_EQ(m.params[0].second, "abc");
  EXPECT_EQ(r.match("GET", "/v1/content").route->path_template, "/v1/content");
  EXPECT_EQ(r.match("GET", "/v1/content/x/performance").route->path_template,
            "/v1/content/{id}/performance");
}

TEST(Router, UnknownPathHasNoRouteAndNoAllowedMethods) {
  auto r = make_router();
  auto m = r.match("GET", "/v1/nothing");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed_methods.empty());
  EXPECT_EQ(r.match("GET", "/v1/content/a/b/c").route, nullptr);
  EXPECT_EQ(r.match("GET", "/v1/content/").route, nullptr);  // empty parameter
  EXPECT_EQ(r.match("GET", "").route, nullptr);
}

TEST(Router, WrongMethodListsAllowedMethods) {
  auto r = make_router();
  auto m = r.match("DELETE", "/v1/content");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "HEAD", "POST"}));
  // PATCH-only paths do not gain HEAD; GET paths do.
  EXPECT_EQ(r.match("PUT", "/v1/content/x").allowed_methods,
            (std::vector<std::string>{"GET", "HEAD", "PATCH"}));
}

TEST(Router, HeadIsAnsweredByTheGetRoute) {
  auto r = make_router();
  auto m = r.match("HEAD", "/v1/content/abc");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, "GET");
  EXPECT_EQ(m.route->path_template, "/v1/content/{id}");
  EXPECT_EQ(m.params[0].second, "abc");
  ASSERT_NE(r.match("HEAD", "/health").route, nullptr);
  ASSERT_NE(r.match("HEAD", "/v1/files/a/b.png").route, nullptr);
  // HEAD never reaches another method's route.
  Router post_only;
  post_only.add("POST", "/v1/trends/discover", Audience::kTenant, "", noop());
  auto none = post_only.match("HEAD", "/v1/trends/discover");
  EXPECT_EQ(none.route, nullptr);
  EXPECT_EQ(none.allowed_methods, (std::vector<std::string>{"POST"}));
}

TEST(Router, DecodesParametersAndRejectsBadEncoding) {
  auto r = make_router();
  EXPECT_EQ(r.match("GET", "/v1/content/a%20b").params[0].second, "a b");
  EXPECT_THROW(r.match("GET", "/v1/content/%zz"), BadRequest);
  EXPECT_THROW(r.match("GET", "/v1/content/%-1"), BadRequest);  // from_chars took the sign
  EXPECT_THROW(r.match("GET", "/v1/content/ab%4"), BadRequest);
  EXPECT_THROW(r.match("GET", "/v1/content/%"), BadRequest);
  // A path keeps '+' (only query strings use form encoding).
  EXPECT_EQ(r.match("GET", "/v1/content/a+b%2Bc").params[0].second, "a+b+c");
}

TEST(Router, CatchAllTakesTheRestOfThePath) {
  auto r = make_router();
  auto m = r.match("GET", "/v1/files/images/2026/a.png");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params[0].second, "images/2026/a.png");
  EXPECT_EQ(r.match("GET", "/v1/files/").route, nullptr);
}

// Routes are looked up by path length, yet the first route added still wins, and a catch-all
// takes paths of any depth, deeper than the index too.
TEST(Router, FirstAddedRouteWinsAndCatchAllsTakeAnyDepth) {
  Router r;
  r.add("GET", "/v1/content/stats", Audience::kTenant, "", noop());
  r.add("GET", "/v1/content/{id}", Audience::kTenant, "", noop());
  r.add("GET", "/v1/{kind}/{id}", Audience::kTenant, "", noop());
  r.add("GET", "/v1/files/{key+}", Audience::kTenant, "", noop());
  r.add("GET", "/v1/files/fixed", Audience::kTenant, "", noop());
  EXPECT_EQ(r.match("GET", "/v1/content/stats").route->path_template, "/v1/content/stats");
  EXPECT_EQ(r.match("GET", "/v1/content/x").route->path_template, "/v1/content/{id}");
  EXPECT_EQ(r.match("GET", "/v1/jobs/x").route->path_template, "/v1/{kind}/{id}");
  // Three routes fit; the first one added takes it.
  EXPECT_EQ(r.match("GET", "/v1/files/fixed").route->path_template, "/v1/{kind}/{id}");
  EXPECT_EQ(r.match("GET", "/v1/files/a/b").route->path_template, "/v1/files/{key+}");
  std::string deep = "/v1/files";
  for (int i = 0; i < 40; ++i) deep += "/d" + std::to_string(i);
  auto m = r.match("GET", deep);
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->path_template, "/v1/files/{key+}");
  EXPECT_EQ(m.params[0].second, deep.substr(std::string("/v1/files/").size()));
  EXPECT_EQ(r.match("GET", "/v1/content/x/y/z").route, nullptr);
  EXPECT_EQ(r.match("GET", "").route, nullptr);
  EXPECT_EQ(r.match("GET", "/").route, nullptr);
  auto wrong = r.match("POST", "/v1/content/x");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_EQ(wrong.allowed_methods, (std::vector<std::string>{"GET", "HEAD"}));
}
