// Unit tests for storage/sigv4 against the example values published in AWS's S3 documentation
// ("Signature Calculations for the Authorization Header" and "Authenticating Requests: Using
// Query Parameters"): same credentials, bucket, key and date, so any byte of difference in the
// canonical request shows up as a different signature.
#include "storage/sigv4.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "util/crypto.h"

namespace autoblog::storage::sigv4 {
namespace {

Credentials ExampleCredentials() {
  Credentials c;
  c.access_key = "AKIAIOSFODNN7EXAMPLE";
  c.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  c.region = "us-east-1";
  c.service = "s3";
  return c;
}

constexpr std::string_view kDate = "20130524T000000Z";

TEST(SigV4, EmptyPayloadHashConstant) {
  // Digests and HMAC themselves are tested in crypto_test.cpp.
  EXPECT_EQ(util::sha256_hex(""), kEmptyPayloadSha256);
}

TEST(SigV4, UriEncodeFollowsAwsRules) {
  EXPECT_EQ(uri_encode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(uri_encode("a b/c+d=e&f*g%", false), "a%20b%2Fc%2Bd%3De%26f%2Ag%25");
  EXPECT_EQ(uri_encode("/bucket/a b/ü.txt", true), "/bucket/a%20b/%C3%BC.txt");
  EXPECT_EQ(uri_encode("/", false), "%2F");
}

TEST(SigV4, CanonicalQueryStringIsSortedAndEncoded) {
  EXPECT_EQ(canonical_query_string({{"prefix", "a/b c"}, {"list-type", "2"}, {"max-keys", "2"}}),
            "list-type=2&max-keys=2&prefix=a%2Fb%20c");
  EXPECT_EQ(canonical_query_string({{"delete", ""}}), "delete=");
}

TEST(SigV4, AmzDateFormat) {
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1369353600));
  EXPECT_EQ(amz_date(t), "20130524T000000Z");
  EXPECT_EQ(date_stamp("20130524T000000Z"), "20130524");
}

// AWS example "GET Object": first 10 bytes of test.txt, header-signed.
TEST(SigV4, HeaderSignedGetObjectExample) {
  Request r;
  r.method = "GET";
  r.path = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", std::string(kEmptyPayloadSha256)},
               {"x-amz-date", std::string(kDate)}};
  const Credentials c = ExampleCredentials();

  EXPECT_EQ(canonical_request(r),
            "GET\n/test.txt\n\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "range:bytes=0-9\n"
            "x-amz-content-sha256:"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\n"
            "host;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(string_to_sign(kDate, credential_scope(c, kDate), canonical_request(r)),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(signature(c, r, kDate),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(authorization_header(c, r, kDate),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, HeaderValuesAreTrimmedAndNamesLowerCased) {
  Request a;
  a.method = "GET";
  a.path = "/test.txt";
  a.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"RANGE", "  bytes=0-9 "},
               {"X-Amz-Content-Sha256", std::string(kEmptyPayloadSha256)},
               {"X-Amz-Date", " 20130524T000000Z"}};
  EXPECT_EQ(signature(ExampleCredentials(), a, kDate),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// AWS example presigned URL: GET test.txt for 86400 s.
TEST(SigV4, PresignedUrlExample) {
  const std::string url = presign_get_url(
      ExampleCredentials(), "https://examplebucket.s3.amazonaws.com",
      "examplebucket.s3.amazonaws.com", "/test.txt", kDate, std::chrono::seconds(86400));
  EXPECT_EQ(url,
            "https://examplebucket.s3.amazonaws.com/test.txt"
            "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(SigV4, PresignedUrlEncodesKeyOnce) {
  const std::string url =
      presign_get_url(ExampleCredentials(), "http://127.0.0.1:4569", "127.0.0.1:4569",
                      "/autoblog/tenants/t/a b/ü.png", kDate, std::chrono::seconds(60));
  EXPECT_EQ(url.rfind("http://127.0.0.1:4569/autoblog/tenants/t/a%20b/%C3%BC.png?", 0), 0u) << url;
}

// Response overrides (response-content-disposition, response-content-type) travel in the signed
// query: the URL's signature is the one of a request carrying them, so S3 refuses a URL whose
// overrides were edited.
TEST(SigV4, PresignedUrlSignsExtraQueryParameters) {
  const Params extra{{"response-content-disposition", "attachment; filename=\"a.png\""},
                     {"response-content-type", "application/octet-stream"}};
  const std::string plain = presign_get_url(ExampleCredentials(), "http://h", "h", "/b/a.png",
                                            kDate, std::chrono::seconds(60));
  const std::string url = presign_get_url(ExampleCredentials(), "http://h", "h", "/b/a.png",
                                          kDate, std::chrono::seconds(60), extra);
  EXPECT_NE(url.find("&response-content-disposition=attachment%3B%20filename%3D%22a.png%22"
                     "&response-content-type=application%2Foctet-stream&X-Amz-Signature="),
            std::string::npos)
      << url;
  Request signed_request;
  signed_request.method = "GET";
  signed_request.path = "/b/a.png";
  signed_request.query = {
      {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
      {"X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"},
      {"X-Amz-Date", std::string(kDate)},
      {"X-Amz-Expires", "60"},
      {"X-Amz-SignedHeaders", "host"},
      extra[0],
      extra[1]};
  signed_request.headers = {{"host", "h"}};
  signed_request.payload_sha256 = "UNSIGNED-PAYLOAD";
  const std::string sig = signature(ExampleCredentials(), signed_request, kDate);
  EXPECT_EQ(url.substr(url.size() - 64), sig);
  EXPECT_NE(plain.substr(plain.size() - 64), sig);
}

}  // namespace
}  // namespace autoblog::storage::sigv4
