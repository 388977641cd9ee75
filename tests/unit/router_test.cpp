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
