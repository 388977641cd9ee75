// S3Storage over libcurl with our own SigV4 signing; see s3_storage.h for the semantics.
#include "storage/s3_storage.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <pugixml.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "storage/blocking_executor.h"
#include "storage/object_key.h"
#include "storage/sigv4.h"
#include "util/base64.h"
#include "util/time.h"

namespace autoblog::storage {
namespace {

constexpr int kMaxAttempts = 3;
constexpr long kConnectTimeoutMs = 3000;
// A transfer that moves less than 1 byte/s for 10 s is dead; no overall cap, because a large
// upload on a slow link is legitimate.
constexpr long kLowSpeedTimeS = 10;
constexpr std::size_t kMaxIdleHandles = 16;
constexpr int kDeleteBatch = 1000;  // DeleteObjects maximum
constexpr std::chrono::seconds kMaxPresignTtl(7 * 24 * 3600);

std::string Md5Raw(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_md5(), nullptr) != 1) {
    throw std::runtime_error("MD5 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest.data()), len);
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

struct Endpoint {
  std::string scheme;     // "http" | "https"
  std::string authority;  // host[:port] as dialled
  std::string host;       // Host header: authority without a default port
  std::string base_path;  // "" or "/some/prefix" (no trailing '/')
};

Endpoint ParseEndpoint(const std::string& url) {
  Endpoint e;
  const std::size_t sep = url.find("://");
  if (sep == std::string::npos) throw std::invalid_argument("S3 endpoint must be http(s)://...");
  e.scheme = url.substr(0, sep);
  for (char& c : e.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (e.scheme != "http" && e.scheme != "https") {
    throw std::invalid_argument("S3 endpoint must use http or https");
  }
  const std::string rest = url.substr(sep + 3);
  const std::size_t slash = rest.find('/');
  e.authority = rest.substr(0, slash);
  if (slash != std::string::npos) e.base_path = rest.substr(slash);
  while (!e.base_path.empty() && e.base_path.back() == '/') e.base_path.pop_back();
  if (e.authority.empty() || e.authority.find_first_of("@?# ") != std::string::npos ||
      e.base_path.find_first_of("?# ") != std::string::npos) {
    throw std::invalid_argument("S3 endpoint must be http(s)://host[:port][/path]");
  }
  e.host = e.authority;
  const std::string default_port = e.scheme == "https" ? ":443" : ":80";
  if (e.host.size() > default_port.size() &&
      e.host.compare(e.host.size() - default_port.size(), default_port.size(), default_port) == 0) {
    e.host.resize(e.host.size() - default_port.size());
  }
  return e;
}

struct HttpRequest {
  std::string method;
  std::string path;  // raw, absolute
  sigv4::Params query;
  sigv4::Params headers;  // signed, in addition to host / x-amz-date / x-amz-content-sha256
  std::string_view body;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// S3's <Error><Code/><Message/></Error>, when the body has one.
std::pair<std::string, std::string> ErrorCode(const HttpResponse& response) {
  pugi::xml_document doc;
  if (!response.body.empty() && doc.load_buffer(response.body.data(), response.body.size())) {
    const pugi::xml_node error = doc.child("Error");
    if (error) return {error.child_value("Code"), error.child_value("Message")};
  }
  return {"", ""};
}

[[noreturn]] void ThrowForStatus(const HttpRequest& request, const HttpResponse& response) {
  const auto [code, message] = ErrorCode(response);
  std::string what = "S3 " + request.method + " failed: HTTP " + std::to_string(response.status);
  if (!code.empty()) what += " " + code;
  if (!message.empty()) what += ": " + message;
  if (response.status >= 500) throw StorageUnavailable(what);
  throw std::runtime_error(what);
}

// Idle easy handles; a handle is used by one thread at a time and keeps its connections alive
// between requests.
class HandlePool {
 public:
  ~HandlePool() {
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }
  CURL* acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    CURL* h = curl_easy_init();
    if (h == nullptr) throw StorageUnavailable("S3: curl_easy_init failed");
    return h;
  }
  void release(CURL* h) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(h);
      return;
    }
    curl_easy_cleanup(h);
  }

 private:
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

struct CurlHeaders {
  curl_slist* list = nullptr;
  ~CurlHeaders() { curl_slist_free_all(list); }
  void add(const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next == nullptr) throw std::bad_alloc();
    list = next;
  }
};

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (after 100 Continue or a retry): start over
  } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    (*headers)[name] = std::string(value);
  }
  return size * n;
}

bool Retryable(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return true;
    default:
      return false;
  }
}

struct RawEntry {
  std::string key;  // full S3 key
  std::uint64_t size = 0;
  std::string etag;
  std::string last_modified;
};

struct RawPage {
  std::vector<RawEntry> entries;
  bool truncated = false;
};

}  // namespace

class S3Storage::Impl {
 public:
  explicit Impl(S3Options options) : options_(std::move(options)) {
    endpoint_ = ParseEndpoint(options_.endpoint);
    if (options_.bucket.empty()) throw std::invalid_argument("S3 bucket must not be empty");
    if (options_.region.empty()) throw std::invalid_argument("S3 region must not be empty");
    credentials_.access_key = options_.access_key;
    credentials_.secret_key = options_.secret_key;
    credentials_.region = options_.region;
    credentials_.service = "s3";
    if (options_.path_style) {
      dial_authority_ = endpoint_.authority;
      host_header_ = endpoint_.host;
      bucket_path_ = endpoint_.base_path + "/" + options_.bucket;
    } else {
      dial_authority_ = options_.bucket + "." + endpoint_.authority;
      host_header_ = options_.bucket + "." + endpoint_.host;
      bucket_path_ = endpoint_.base_path;
    }
  }

  static std::string TenantPrefix(const std::string& tenant_id) {
    return "tenants/" + tenant_id + "/";
  }
  std::string ObjectPath(const std::string& tenant_id, const std::string& key) const {
    return bucket_path_ + "/" + TenantPrefix(tenant_id) + key;
  }
  std::string BucketPath() const { return bucket_path_.empty() ? "/" : bucket_path_; }

  ObjectInfo Put(const std::string& tenant_id, const std::string& key, const std::string& body,
                 const std::string& content_type) {
    HttpRequest request;
    request.method = "PUT";
    request.path = ObjectPath(tenant_id, key);
    request.headers = {{"content-type", content_type},
                       {"x-amz-server-side-encryption", "AES256"},
                       {"x-amz-meta-tenant_id", tenant_id}};
    request.body = body;
    const HttpResponse response = Perform(request);
    if (response.status != 200) ThrowForStatus(request, response);
    ObjectInfo info;
    info.key = key;
    info.size = body.size();
    const auto etag = response.headers.find("etag");
    info.etag = etag != response.headers.end() && !etag->second.empty()
                    ? Quoted(etag->second)
                    : Quoted(sigv4::hex(Md5Raw(body)));
    info.content_type = content_type;
    const auto date = response.headers.find("date");
    info.last_modified = date != response.headers.end() ? HttpDateToRfc3339(date->second) : "";
    if (info.last_modified.empty()) info.last_modified = FormatRfc3339(std::time(nullptr));
    return info;
  }

  std::optional<Object> Get(const std::string& tenant_id, const std::string& key) {
    HttpRequest request;
    request.method = "GET";
    request.path = ObjectPath(tenant_id, key);
    HttpResponse response = Perform(request);
    if (response.status == 404 && ErrorCode(response).first != "NoSuchBucket") {
      return std::nullopt;
    }
    if (response.status != 200) ThrowForStatus(request, response);
    // Defence in depth: an object we wrote names its tenant; one naming another tenant under
    // this tenant's prefix means a bug or tampering, and is never served.
    const std::string owner = Header(response, "x-amz-meta-tenant_id");
    if (!owner.empty() && owner != tenant_id) {
      throw std::runtime_error("S3 object metadata names another tenant");
    }
    Object object;
    object.info.key = key;
    object.info.size = response.body.size();
    object.info.etag = Quoted(Header(response, "etag"));
    object.info.content_type = Header(response, "content-type");
    if (object.info.content_type.empty()) object.info.content_type = "application/octet-stream";
    object.info.last_modified = HttpDateToRfc3339(Header(response, "last-modified"));
    object.body = std::move(response.body);
    return object;
  }

  bool Remove(const std::string& tenant_id, const std::string& key) {
    HttpRequest head;
    head.method = "HEAD";
    head.path = ObjectPath(tenant_id, key);
    const HttpResponse exists = Perform(head);
    if (exists.status == 404) return false;
    if (exists.status != 200) ThrowForStatus(head, exists);

    HttpRequest request;
    request.method = "DELETE";
    request.path = head.path;
    const HttpResponse response = Perform(request);
    if (response.status != 204 && response.status != 200) ThrowForStatus(request, response);
    return true;
  }

  RawPage ListRaw(const std::string& full_prefix, const std::string& start_after, int max_keys) {
    HttpRequest request;
    request.method = "GET";
    request.path = BucketPath();
    request.query = {
        {"list-type", "2"}, {"prefix", full_prefix}, {"max-keys", std::to_string(max_keys)}};
    if (!start_after.empty()) request.query.emplace_back("start-after", start_after);
    const HttpResponse response = Perform(request);
    if (response.status != 200) ThrowForStatus(request, response);

    pugi::xml_document doc;
    if (!doc.load_buffer(response.body.data(), response.body.size())) {
      throw StorageUnavailable("S3 list: malformed XML response");
    }
    const pugi::xml_node result = doc.child("ListBucketResult");
    if (!result) throw StorageUnavailable("S3 list: unexpected response");
    RawPage page;
    page.truncated = std::string_view(result.child_value("IsTruncated")) == "true";
    for (pugi::xml_node c = result.child("Contents"); c; c = c.next_sibling("Contents")) {
      RawEntry e;
      e.key = c.child_value("Key");
      e.size = std::strtoull(c.child_value("Size"), nullptr, 10);
      e.etag = Quoted(c.child_value("ETag"));
      e.last_modified = IsoToRfc3339(c.child_value("LastModified"));
      page.entries.push_back(std::move(e));
    }
    return page;
  }

  ListPage List(const std::string& tenant_id, const std::string& prefix,
                const std::optional<std::string>& after, int limit) {
    const std::string tenant_prefix = TenantPrefix(tenant_id);
    RawPage raw = ListRaw(tenant_prefix + prefix, after ? tenant_prefix + *after : "", limit);
    ListPage page;
    for (RawEntry& e : raw.entries) {
      // Never hand out anything outside the caller's prefix, whatever the server returned.
      if (e.key.compare(0, tenant_prefix.size(), tenant_prefix) != 0) continue;
      std::string key = e.key.substr(tenant_prefix.size());
      if (!validate_object_key(key, nullptr)) continue;  // not written through this API
      ObjectInfo info;
      info.key = std::move(key);
      info.size = e.size;
      info.etag = std::move(e.etag);
      info.last_modified = std::move(e.last_modified);
      page.items.push_back(std::move(info));
    }
    // S3 returns keys in binary order already; emulators walking a directory tree may not.
    std::sort(page.items.begin(), page.items.end(),
              [](const ObjectInfo& x, const ObjectInfo& y) { return x.key < y.key; });
    if (raw.truncated && !page.items.empty()) {
      page.next_cursor = encode_list_cursor(page.items.back().key);
    }
    return page;
  }

  // Visits every object of the tenant, a page of up to 1000 at a time.
  template <class Visit>
  void ForEachPage(const std::string& tenant_id, Visit visit) {
    std::string start_after;
    while (true) {
      RawPage page = ListRaw(TenantPrefix(tenant_id), start_after, kDeleteBatch);
      if (page.entries.empty()) return;
      start_after = page.entries.back().key;
      visit(page.entries);
      if (!page.truncated) return;
    }
  }

  void Purge(const std::string& tenant_id) {
    ForEachPage(tenant_id, [&](const std::vector<RawEntry>& entries) {
      if (DeleteBatch(entries)) return;
      // Some S3-compatible servers lack DeleteObjects or fail it (s3rver 3.7.1 races its own
      // parallel deletes into a 500): fall back to one DELETE per key, which every server has.
      for (const RawEntry& e : entries) {
        HttpRequest request;
        request.method = "DELETE";
        request.path = bucket_path_ + "/" + e.key;
        const HttpResponse response = Perform(request);
        if (response.status != 204 && response.status != 200 && response.status != 404) {
          ThrowForStatus(request, response);
        }
      }
    });
  }

  // One DeleteObjects request (no retries: the caller falls back to single deletes). True when
  // the server confirmed every deletion.
  bool DeleteBatch(const std::vector<RawEntry>& entries) {
    pugi::xml_document doc;
    pugi::xml_node del = doc.append_child("Delete");
    del.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
    del.append_child("Quiet").text().set("true");
    for (const RawEntry& e : entries) {
      del.append_child("Object").append_child("Key").text().set(e.key.c_str());
    }
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw);
    const std::string body = out.str();

    HttpRequest request;
    request.method = "POST";
    request.path = BucketPath();
    request.query = {{"delete", ""}};
    request.headers = {{"content-type", "application/xml"},
                       {"content-md5", util::base64_encode(Md5Raw(body))}};
    request.body = body;
    HttpResponse response;
    try {
      response = Perform(request, /*retry=*/false);
    } catch (const StorageUnavailable&) {
      return false;
    }
    if (response.status != 200) return false;
    // DeleteObjects answers 200 even when single keys fail: look for <Error> entries.
    pugi::xml_document result;
    if (!result.load_buffer(response.body.data(), response.body.size())) return false;
    return !result.child("DeleteResult").child("Error");
  }

  std::uint64_t Usage(const std::string& tenant_id) {
    std::uint64_t total = 0;
    ForEachPage(tenant_id, [&](const std::vector<RawEntry>& entries) {
      for (const RawEntry& e : entries) total += e.size;
    });
    return total;
  }

  std::string Presign(const std::string& tenant_id, const std::string& key,
                      std::chrono::seconds ttl) const {
    ttl = std::clamp(ttl, std::chrono::seconds(1), kMaxPresignTtl);
    return sigv4::presign_get_url(credentials_, endpoint_.scheme + "://" + dial_authority_,
                                  host_header_, ObjectPath(tenant_id, key),
                                  sigv4::amz_date(std::chrono::system_clock::now()), ttl);
  }

 private:
  static std::string Header(const HttpResponse& response, const std::string& name) {
    const auto it = response.headers.find(name);
    return it == response.headers.end() ? "" : it->second;
  }

  // Signs and sends one request, retrying connection failures and 5xx (all our requests are
  // idempotent). Returns any HTTP status; throws StorageUnavailable when S3 stays unreachable.
  HttpResponse Perform(const HttpRequest& request, bool retry = true) {
    std::string last_error;
    const int attempts = retry ? kMaxAttempts : 1;
    for (int attempt = 0; attempt < attempts; ++attempt) {
      // 100 ms, then 400 ms: enough to ride out a restart or a SlowDown, short enough for a
      // request that is waiting on us.
      if (attempt > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100 << (2 * (attempt - 1))));
      }
      HttpResponse response;
      const CURLcode code = PerformOnce(request, response);
      if (code == CURLE_OK) {
        if (response.status < 500 || attempt + 1 == attempts) return response;
        last_error = "HTTP " + std::to_string(response.status);
        continue;
      }
      last_error = curl_easy_strerror(code);
      if (!Retryable(code)) break;
    }
    throw StorageUnavailable("S3 " + request.method + " failed: " + last_error);
  }

  CURLcode PerformOnce(const HttpRequest& request, HttpResponse& response) {
    const std::string date = sigv4::amz_date(std::chrono::system_clock::now());
    sigv4::Request signed_request;
    signed_request.method = request.method;
    signed_request.path = request.path;
    signed_request.query = request.query;
    signed_request.payload_sha256 = sigv4::sha256_hex(request.body);
    signed_request.headers = request.headers;
    signed_request.headers.emplace_back("host", host_header_);
    signed_request.headers.emplace_back("x-amz-date", date);
    signed_request.headers.emplace_back("x-amz-content-sha256", signed_request.payload_sha256);

    CurlHeaders headers;
    for (const auto& [name, value] : signed_request.headers) headers.add(name + ": " + value);
    headers.add("Authorization: " +
                sigv4::authorization_header(credentials_, signed_request, date));
    headers.add("Expect:");  // no 100-continue round trip
    headers.add("Accept:");

    std::string url = endpoint_.scheme + "://" + dial_authority_ +
                      sigv4::uri_encode(request.path, /*keep_slash=*/true);
    if (!request.query.empty()) url += "?" + sigv4::canonical_query_string(request.query);

    CURL* h = handles_.acquire();
    struct Release {
      HandlePool& pool;
      CURL* h;
      ~Release() { pool.release(h); }
    } release{handles_, h};
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);  // send the signed path byte for byte
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, kLowSpeedTimeS);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &WriteHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);
    if (request.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (request.method != "GET") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      if (request.method != "DELETE") {
        // The body is sent from memory as is (binary-safe with an explicit size).
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
        // Never NULL: curl would then read the body from stdin.
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
      }
    }
    const CURLcode code = curl_easy_perform(h);
    if (code == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    return code;
  }

  S3Options options_;
  Endpoint endpoint_;
  sigv4::Credentials credentials_;
  std::string dial_authority_;
  std::string host_header_;
  std::string bucket_path_;  // "" (virtual-hosted, no base path) or "/bucket"
  HandlePool handles_;
};

S3Storage::S3Storage(S3Options options, boost::asio::thread_pool& pool) : pool_(pool) {
  static std::once_flag curl_init;
  std::call_once(curl_init, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("curl_global_init failed");
    }
  });
  impl_ = std::make_unique<Impl>(std::move(options));
}

S3Storage::~S3Storage() = default;

boost::asio::awaitable<ObjectInfo> S3Storage::put(std::string_view tenant_id, std::string_view key,
                                                  std::string body, std::string_view content_type) {
  check_tenant_id(tenant_id);
  auto job = [impl = impl_.get(), tenant = std::string(tenant_id), k = checked_key(key),
              ct = checked_content_type(content_type),
              b = std::move(body)]() { return impl->Put(tenant, k, b, ct); };
  co_return co_await run_blocking(pool_, std::move(job));
}

boost::asio::awaitable<std::optional<Object>> S3Storage::get(std::string_view tenant_id,
                                                             std::string_view key) {
  check_tenant_id(tenant_id);
  auto job = [impl = impl_.get(), tenant = std::string(tenant_id), k = checked_key(key)]() {
    return impl->Get(tenant, k);
  };
  co_return co_await run_blocking(pool_, std::move(job));
}

boost::asio::awaitable<bool> S3Storage::remove(std::string_view tenant_id, std::string_view key) {
  check_tenant_id(tenant_id);
  auto job = [impl = impl_.get(), tenant = std::string(tenant_id), k = checked_key(key)]() {
    return impl->Remove(tenant, k);
  };
  co_return co_await run_blocking(pool_, std::move(job));
}

boost::asio::awaitable<ListPage> S3Storage::list(std::string_view tenant_id,
                                                 std::string_view prefix,
                                                 std::optional<std::string> cursor, int limit) {
  check_tenant_id(tenant_id);
  if (limit < 1 || limit > 1000) throw std::invalid_argument("limit must be within 1..1000");
  std::optional<std::string> after;
  if (cursor) after = decode_list_cursor(*cursor);
  auto job = [impl = impl_.get(), tenant = std::string(tenant_id), p = checked_prefix(prefix),
              a = std::move(after), limit]() { return impl->List(tenant, p, a, limit); };
  co_return co_await run_blocking(pool_, std::move(job));
}

boost::asio::awaitable<void> S3Storage::purge_tenant(std::string_view tenant_id) {
  check_tenant_id(tenant_id);
  auto job = [impl = impl_.get(), tenant = std::string(tenant_id)]() { impl->Purge(tenant); };
  co_await run_blocking(pool_, std::move(job));
}

boost::asio::awaitable<std::uint64_t> S3Storage::usage_bytes(std::string_view tenant_id) {
  check_tenant_id(tenant_id);
  auto job = [impl = impl_.get(), tenant = std::string(tenant_id)]() {
    return impl->Usage(tenant);
  };
  co_return co_await run_blocking(pool_, std::move(job));
}

std::optional<std::string> S3Storage::presigned_get_url(std::string_view tenant_id,
                                                        std::string_view key,
                                                        std::chrono::seconds ttl) const {
  check_tenant_id(tenant_id);
  return impl_->Presign(std::string(tenant_id), checked_key(key), ttl);
}

}  // namespace autoblog::storage
