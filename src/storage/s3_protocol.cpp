#include "storage/s3_protocol.h"

#include <boost/url/parse.hpp>
#include <cctype>
#include <ctime>
#include <pugixml.hpp>
#include <stdexcept>

#include "storage/object_storage.h"
#include "util/time.h"

namespace autoblog::storage::s3 {

// A presigned URL is served from the bucket's origin, without the API's nosniff and
// CSP sandbox: S3 must answer it as a download of opaque bytes, never as a page to render. The
// filename is the key's last segment reduced to [A-Za-z0-9._-] (no quoting or encoding issues).
sigv4::Params download_overrides(const std::string& key) {
  std::string name = key.substr(key.rfind('/') + 1).substr(0, 100);
  for (auto& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  if (name.empty() || name.find_first_not_of('.') == std::string::npos) name = "download";
  return {{"response-content-disposition", "attachment; filename=\"" + name + "\""},
          {"response-content-type", "application/octet-stream"}};
}

std::string FormatRfc3339(std::time_t t) {
  return util::format_rfc3339_unix(static_cast<std::int64_t>(t));
}

// "Wed, 12 Oct 2009 17:50:00 GMT" (HTTP date) -> "2009-10-12T17:50:00.000000Z"; "" if unparseable.
std::string HttpDateToRfc3339(const std::string& http_date) {
  std::tm tm{};
  const char* end = strptime(http_date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr) return "";
  return FormatRfc3339(timegm(&tm));
}

// "2009-10-12T17:50:30.000Z" (S3 XML) -> "2009-10-12T17:50:30.000000Z", the API's format.
std::string IsoToRfc3339(const std::string& iso) {
  std::tm tm{};
  const char* end = strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr) return iso;
  return FormatRfc3339(timegm(&tm));
}

std::string Quoted(std::string etag) {
  if (etag.size() < 2 || etag.front() != '"' || etag.back() != '"') etag = '"' + etag + '"';
  return etag;
}

Endpoint ParseEndpoint(const std::string& url) {
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) throw std::invalid_argument("S3 endpoint must be http(s)://host[:port][/path]");
  const boost::urls::url_view u = *parsed;
  Endpoint e;
  e.scheme = std::string(u.scheme());
  for (char& c : e.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (e.scheme != "http" && e.scheme != "https") {
    throw std::invalid_argument("S3 endpoint must use http or https");
  }
  if (!u.has_authority() || u.encoded_host().empty() || u.has_userinfo() || u.has_query() ||
      u.has_fragment()) {
    throw std::invalid_argument("S3 endpoint must be http(s)://host[:port][/path]");
  }
  e.host = std::string(u.encoded_host());  // IPv6 literals keep their brackets
  e.authority = e.host;
  if (u.has_port()) e.authority += ":" + std::string(u.port());
  const bool default_port = !u.has_port() || (e.scheme == "https" && u.port() == "443") ||
                            (e.scheme == "http" && u.port() == "80");
  if (!default_port) e.host += ":" + std::string(u.port());
  e.base_path = std::string(u.encoded_path());
  while (!e.base_path.empty() && e.base_path.back() == '/') e.base_path.pop_back();
  return e;
}

// S3's <Error><Code/><Message/></Error>, when the body has one.
std::pair<std::string, std::string> ErrorCode(const net::HttpResponse& response) {
  pugi::xml_document doc;
  if (!response.body.empty() && doc.load_buffer(response.body.data(), response.body.size())) {
    const pugi::xml_node error = doc.child("Error");
    if (error) return {error.child_value("Code"), error.child_value("Message")};
  }
  return {"", ""};
}

[[noreturn]] void ThrowForStatus(const std::string& method, const net::HttpResponse& response) {
  const auto [code, message] = ErrorCode(response);
  std::string what = "S3 " + method + " failed: HTTP " + std::to_string(response.status);
  if (!code.empty()) what += " " + code;
  if (!message.empty()) what += ": " + message;
  if (response.status >= 500) throw StorageUnavailable(what);
  // S3's answers for a key it cannot hold: the client's input (400), not our failure.
  if (response.status == 400 &&
      (code == "KeyTooLongError" || code == "InvalidArgument" || code == "InvalidURI")) {
    throw InvalidKey("object key refused by S3 storage (" + code + ")");
  }
  throw std::runtime_error(what);
}

// The client's errors in storage terms: outages -> StorageUnavailable, the rest (a response
// too large, a bad request) -> std::runtime_error; cancellation passes through unchanged.
[[noreturn]] void RethrowAsStorageError(const std::exception_ptr& error,
                                        const std::string& method) {
  try {
    std::rethrow_exception(error);
  } catch (const net::Timeout& e) {
    throw StorageUnavailable("S3 " + method + " failed: " + e.what());
  } catch (const net::ConnectFailed& e) {
    throw StorageUnavailable("S3 " + method + " failed: " + e.what());
  } catch (const net::TransferFailed& e) {
    throw StorageUnavailable("S3 " + method + " failed: " + e.what());
  } catch (const net::ResponseTooLarge& e) {
    throw ResponseTooLarge("S3 " + method + " failed: " + e.what());
  } catch (const net::Error& e) {
    throw std::runtime_error("S3 " + method + " failed: " + e.what());
  }
}

}  // namespace autoblog::storage::s3
