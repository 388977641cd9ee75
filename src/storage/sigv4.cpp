// AWS Signature Version 4 for S3; see sigv4.h.
#include "storage/sigv4.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <stdexcept>

#include "util/crypto.h"

namespace autoblog::storage::sigv4 {
namespace {

using util::hmac_sha256;
using util::sha256_hex;
using util::to_hex;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Trims and collapses runs of spaces/tabs into one space (the "Trimall" of the spec).
std::string TrimAll(std::string_view s) {
  std::string out;
  bool pending_space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// Canonical (lower-cased, trimmed, sorted) header list; duplicate names are joined with ','.
std::vector<std::pair<std::string, std::string>> CanonicalHeaders(const Request& request) {
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) {
    headers.emplace_back(Lower(TrimAll(name)), TrimAll(value));
  }
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, std::string>> merged;
  for (auto& h : headers) {
    if (!merged.empty() && merged.back().first == h.first) {
      merged.back().second += ',' + h.second;
    } else {
      merged.push_back(std::move(h));
    }
  }
  return merged;
}

}  // namespace

std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xF]);
    }
  }
  return out;
}

std::string canonical_query_string(const Params& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(uri_encode(name, false), uri_encode(value, false));
  }
  // Sorted by encoded name, then value (byte order), as the spec requires.
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string amz_date(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string signed_headers(const Request& request) {
  std::string out;
  for (const auto& [name, value] : CanonicalHeaders(request)) {
    if (!out.empty()) out.push_back(';');
    out += name;
  }
  return out;
}

std::string canonical_request(const Request& request) {
  std::string out = request.method;
  out.push_back('\n');
  out += uri_encode(request.path.empty() ? std::string_view("/") : request.path, true);
  out.push_back('\n');
  out += canonical_query_string(request.query);
  out.push_back('\n');
  for (const auto& [name, value] : CanonicalHeaders(request)) {
    out += name;
    out.push_back(':');
    out += value;
    out.push_back('\n');
  }
  out.push_back('\n');
  out += signed_headers(request);
  out.push_back('\n');
  out += request.payload_sha256;
  return out;
}

std::string credential_scope(const Credentials& credentials, std::string_view amz_date) {
  std::string out = date_stamp(amz_date);
  out.push_back('/');
  out += credentials.region;
  out.push_back('/');
  out += credentials.service;
  out += "/aws4_request";
  return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.push_back('\n');
  out += amz_date;
  out.push_back('\n');
  out += scope;
  out.push_back('\n');
  out += sha256_hex(canonical_request);
  return out;
}

std::string signing_key(const Credentials& credentials, std::string_view date_stamp) {
  std::string key = hmac_sha256("AWS4" + credentials.secret_key, date_stamp);
  key = hmac_sha256(key, credentials.region);
  key = hmac_sha256(key, credentials.service);
  return hmac_sha256(key, "aws4_request");
}

std::string signature(const Credentials& credentials, const Request& request,
                      std::string_view amz_date) {
  const std::string to_sign =
      string_to_sign(amz_date, credential_scope(credentials, amz_date), canonical_request(request));
  return to_hex(hmac_sha256(signing_key(credentials, date_stamp(amz_date)), to_sign));
}

std::string authorization_header(const Credentials& credentials, const Request& request,
                                 std::string_view amz_date) {
  std::string out(kAlgorithm);
  out += " Credential=";
  out += credentials.access_key;
  out.push_back('/');
  out += credential_scope(credentials, amz_date);
  out += ",SignedHeaders=";
  out += signed_headers(request);
  out += ",Signature=";
  out += signature(credentials, request, amz_date);
  return out;
}

std::string presign_get_url(const Credentials& credentials, std::string_view base,
                            std::string_view host, std::string_view path, std::string_view amz_date,
                            std::chrono::seconds expires, const Params& extra_query) {
  Request request;
  request.method = "GET";
  request.path = std::string(path);
  request.query = {
      {"X-Amz-Algorithm", std::string(kAlgorithm)},
      {"X-Amz-Credential", credentials.access_key + "/" + credential_scope(credentials, amz_date)},
      {"X-Amz-Date", std::string(amz_date)},
      {"X-Amz-Expires", std::to_string(expires.count())},
      {"X-Amz-SignedHeaders", "host"},
  };
  request.query.insert(request.query.end(), extra_query.begin(), extra_query.end());
  request.headers = {{"host", std::string(host)}};
  request.payload_sha256 = std::string(kUnsignedPayload);
  const std::string sig = signature(credentials, request, amz_date);
  std::string url(base);
  url += uri_encode(request.path, true);
  url.push_back('?');
  url += canonical_query_string(request.query);
  url += "&X-Amz-Signature=";
  url += sig;
  return url;
}

}  // namespace autoblog::storage::sigv4
