// The one exception → reply table (http::map_exception + api::map_exception): every error type
// the layers below throw gets its documented status and code, and a 5xx never shows its cause.
#include "api/error_mapping.h"

#include <gtest/gtest.h>

#include "content/errors.h"
#include "db/errors.h"
#include "http/errors.h"
#include "storage/object_storage.h"
#include "tenancy/errors.h"

using namespace autoblog;

namespace {
template <class E>
http::ErrorReply reply_for(E e) {
  http::Request req;
  req.request_id = "req-1";
  return http::map_exception(std::make_exception_ptr(std::move(e)), req, api::map_exception);
}
}  // namespace

TEST(ErrorMapping, DomainErrorsByKind) {
  auto r = reply_for(content::NotFound());
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.code, "not_found");
  EXPECT_EQ(r.message, "content item not found");
  EXPECT_TRUE(r.log_event.empty());
  EXPECT_EQ(reply_for(content::IllegalTransition("x")).status, 409u);
  EXPECT_EQ(reply_for(content::InvalidInput("x")).code, "invalid_request");
  EXPECT_EQ(reply_for(tenancy::DomainTaken("x")).code, "conflict");
  EXPECT_EQ(reply_for(tenancy::TenantNotFound()).status, 404u);
  auto inactive = reply_for(tenancy::TenantInactive("tenant is suspended"));
  EXPECT_EQ(inactive.status, 403u);
  EXPECT_EQ(inactive.code, "forbidden");
  EXPECT_EQ(inactive.message, "tenant is suspended");
  EXPECT_EQ(reply_for(domain::UnavailableError("x")).status, 503u);
}

TEST(ErrorMapping, DatabaseAndStorageErrors) {
  EXPECT_EQ(reply_for(db::UniqueViolation("23505", "dup")).status, 409u);
  EXPECT_EQ(reply_for(db::PoolTimeout("busy")).status, 503u);
  auto lost = reply_for(db::ConnectionError("socket closed at 10.0.0.1"));
  EXPECT_EQ(lost.status, 503u);
  EXPECT_EQ(lost.message, "database unavailable");  // the cause stays in the log
  EXPECT_EQ(lost.log_error, "socket closed at 10.0.0.1");
  auto s3 = reply_for(storage::StorageUnavailable("S3 PUT failed"));
  EXPECT_EQ(s3.status, 503u);
  EXPECT_EQ(s3.message, "storage unavailable");
  // A key the backend cannot hold (S3 KeyTooLong, ENAMETOOLONG) is the client's input.
  auto bad_key = reply_for(storage::InvalidKey("object key has a path segment too long"));
  EXPECT_EQ(bad_key.status, 400u);
  EXPECT_EQ(bad_key.code, "invalid_request");
  EXPECT_EQ(bad_key.message, "object key has a path segment too long");
  EXPECT_TRUE(bad_key.log_event.empty());
  auto bad_date = reply_for(db::DbError("22008", "date/time field value out of range"));
  EXPECT_EQ(bad_date.status, 400u);
  EXPECT_EQ(bad_date.code, "invalid_request");
  auto other = reply_for(db::DbError("42601", "syntax error at or near"));
  EXPECT_EQ(other.status, 500u);
  EXPECT_EQ(other.code, "internal");
  EXPECT_EQ(other.message.find("syntax"), std::string::npos);
  EXPECT_NE(other.message.find("req-1"), std::string::npos);
  EXPECT_EQ(other.log_sqlstate, "42601");
}

TEST(ErrorMapping, ApiErrorsKeepTheirHeadersAndUnknownsAre500) {
  http::RateLimited limited("slow down");
  limited.with_header("Retry-After", "7");
  auto r = reply_for(limited);
  EXPECT_EQ(r.status, 429u);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
  auto unknown = reply_for(std::logic_error("secret detail"));
  EXPECT_EQ(unknown.status, 500u);
  EXPECT_EQ(unknown.message.find("secret"), std::string::npos);
  EXPECT_EQ(unknown.log_event, "unhandled error");
  // Without the api mapper, http alone does not know database errors: 500.
  http::Request req;
  EXPECT_EQ(
      http::map_exception(std::make_exception_ptr(db::UniqueViolation("23505", "dup")), req, {})
          .status,
      500u);
}
