// S3Storage over net::HttpClient, signed by curl's SigV4; see s3_storage.h for the semantics.
#include "storage/s3_storage.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <pugixml.hpp>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "net/http_client.h"
#include "storage/object_key.h"
#include "storage/s3_protocol.h"
#include "storage/s3_reader.h"
#include "storage/sigv4.h"
#include "util/base64.h"
#include "util/crypto.h"
#include "util/time.h"

namespace autoblog::storage {
namespace {

namespace asio = boost::asio;

using namespace s3;  // the protocol pieces (s3_protocol.h)

}  // namespace

class S3Storage::Impl {
 public:
  Impl(S3Options options, net::HttpClient& client) : options_(std::move(options)), client_(client) {
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

  asio::awaitable<ObjectInfo> Put(std::string tenant_id, std::string key, std::string body,
                                  std::string content_type) {
    S3Request request;
    request.method = "PUT";
    request.path = ObjectPath(tenant_id, key);
    request.headers = {{"content-type", content_type},
                       {"x-amz-server-side-encryption", "AES256"},
                       {"x-amz-meta-tenant_id", tenant_id}};
    const std::uint64_t size = body.size();
    request.body = std::move(body);
    const net::HttpResponse response = co_await Perform(std::move(request));
    if (response.status != 200) ThrowForStatus("PUT", response);
    ObjectInfo info;
    info.key = key;
    info.size = size;
    const std::string etag = response.header("etag");
    if (etag.empty()) throw StorageUnavailable("S3 PUT: the response has no ETag");
    info.etag = Quoted(etag);
    info.content_type = content_type;
    info.last_modified = HttpDateToRfc3339(response.header("date"));
    if (info.last_modified.empty()) info.last_modified = FormatRfc3339(std::time(nullptr));
    co_return info;
  }

  // Bodies up to one part go as a single PUT, as they always did; a body that fills a part goes
  // as a multipart upload, one part in memory at a time. The part is S3's minimum, 5 MiB: each
  // part is a fresh buffer (it is moved into the request), and glibc may keep a freed buffer of
  // that size resident per malloc arena (its dynamic mmap threshold), i.e. per I/O thread the
  // upload's coroutine resumed on; so RSS grows by up to part size x threads, never with the
  // object's size (measured: 15-20 MiB for 64 and 150 MiB uploads).
  static constexpr std::size_t kPartSize = 5u << 20;

  asio::awaitable<ObjectInfo> PutStream(std::string tenant_id, std::string key, BodySource& source,
                                        std::string content_type) {
    std::string part = co_await FillPart(source);
    if (part.size() < kPartSize) {
      co_return co_await Put(std::move(tenant_id), std::move(key), std::move(part),
                             std::move(content_type));
    }
    const std::string upload_id = co_await CreateMultipart(tenant_id, key, content_type);
    std::exception_ptr error;
    ObjectInfo info;
    try {
      std::vector<std::string> etags;
      std::uint64_t size = 0;
      while (!part.empty()) {
        size += part.size();
        const int number = static_cast<int>(etags.size()) + 1;
        std::string etag = co_await UploadPart(tenant_id, key, upload_id, number, std::move(part));
        etags.push_back(std::move(etag));
        part = co_await FillPart(source);
      }
      info = co_await CompleteMultipart(tenant_id, key, upload_id, etags);
      info.size = size;
      info.content_type = content_type;
    } catch (...) {
      error = std::current_exception();
    }
    if (error) {
      // A fresh coroutine, detached: this one may be cancelled (its next co_await would throw
      // at once), and the abort is best effort anyway (a bucket lifecycle rule collects what it
      // misses). Impl lives as long as the S3Storage, which outlives the server's requests.
      asio::co_spawn(co_await asio::this_coro::executor, AbortMultipart(tenant_id, key, upload_id),
                     asio::detached);
      std::rethrow_exception(error);
    }
    co_return info;
  }

  asio::awaitable<std::optional<Object>> Get(std::string tenant_id, std::string key) {
    S3Request request;
    request.method = "GET";
    request.path = ObjectPath(tenant_id, key);
    net::HttpResponse response = co_await Perform(std::move(request));
    if (response.status == 404 && ErrorCode(response).first != "NoSuchBucket") {
      co_return std::nullopt;
    }
    if (response.status != 200) ThrowForStatus("GET", response);
    // Defence in depth: an object we wrote names its tenant; one naming another tenant under
    // this tenant's prefix means a bug or tampering, and is never served.
    const std::string owner = response.header("x-amz-meta-tenant_id");
    if (!owner.empty() && owner != tenant_id) {
      throw std::runtime_error("S3 object metadata names another tenant");
    }
    Object object;
    object.info.key = key;
    object.info.size = response.body.size();
    object.info.etag = Quoted(response.header("etag"));
    object.info.content_type = response.header("content-type");
    if (object.info.content_type.empty()) object.info.content_type = "application/octet-stream";
    object.info.last_modified = HttpDateToRfc3339(response.header("last-modified"));
    object.body = std::move(response.body);
    co_return object;
  }

  asio::awaitable<std::unique_ptr<ObjectReader>> Open(std::string tenant_id, std::string key,
                                                      std::optional<std::uint64_t> first_offset) {
    auto path = ObjectPath(tenant_id, key);
    co_return co_await OpenObject([this](S3Request r) { return Perform(std::move(r)); },
                                  std::move(path), std::move(tenant_id), std::move(key),
                                  first_offset);
  }

  asio::awaitable<bool> Remove(std::string tenant_id, std::string key) {
    S3Request head;
    head.method = "HEAD";
    head.path = ObjectPath(tenant_id, key);
    const net::HttpResponse exists = co_await Perform(head);
    if (exists.status == 404) co_return false;
    if (exists.status != 200) ThrowForStatus("HEAD", exists);

    S3Request request;
    request.method = "DELETE";
    request.path = head.path;
    const net::HttpResponse response = co_await Perform(std::move(request));
    if (response.status != 204 && response.status != 200) ThrowForStatus("DELETE", response);
    co_return true;
  }

  asio::awaitable<RawPage> ListRaw(std::string full_prefix, std::string start_after, int max_keys) {
    S3Request request;
    request.method = "GET";
    request.path = BucketPath();
    request.query = {
        {"list-type", "2"}, {"prefix", full_prefix}, {"max-keys", std::to_string(max_keys)}};
    if (!start_after.empty()) request.query.emplace_back("start-after", start_after);
    const net::HttpResponse response = co_await Perform(std::move(request));
    if (response.status != 200) ThrowForStatus("GET", response);

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
    co_return page;
  }

  asio::awaitable<ListPage> List(std::string tenant_id, std::string prefix,
                                 std::optional<std::string> after, int limit) {
    const std::string tenant_prefix = TenantPrefix(tenant_id);
    // Arguments built in locals first: GCC 12 mis-destroys a ?: temporary inside co_await.
    std::string full_prefix = tenant_prefix + prefix;
    std::string start_after = after ? tenant_prefix + *after : std::string();
    RawPage raw = co_await ListRaw(std::move(full_prefix), std::move(start_after), limit);
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
    co_return page;
  }

  // Visits every object of the tenant, a page of up to 1000 at a time; `visit` is awaited.
  template <class Visit>
  asio::awaitable<void> ForEachPage(std::string tenant_id, Visit visit) {
    std::string start_after;
    while (true) {
      std::string prefix = TenantPrefix(tenant_id);
      RawPage page = co_await ListRaw(std::move(prefix), start_after, kDeleteBatch);
      if (page.entries.empty()) co_return;
      start_after = page.entries.back().key;
      co_await visit(page.entries);
      if (!page.truncated) co_return;
    }
  }

  asio::awaitable<void> Purge(std::string tenant_id) {
    co_await ForEachPage(
        std::move(tenant_id),
        [this](const std::vector<RawEntry>& entries) -> asio::awaitable<void> {
          const bool batched = co_await DeleteBatch(entries);
          if (batched) co_return;
          // Some S3-compatible servers lack DeleteObjects or fail it (s3rver
          // 3.7.1 races its own parallel deletes into a 500): fall back to one
          // DELETE per key, which every server has.
          for (const RawEntry& e : entries) {
            S3Request request;
            request.method = "DELETE";
            request.path = bucket_path_ + "/" + e.key;
            const net::HttpResponse response = co_await Perform(std::move(request));
            if (response.status != 204 && response.status != 200 && response.status != 404) {
              ThrowForStatus("DELETE", response);
            }
          }
        });
  }

  // One DeleteObjects request (no retries: the caller falls back to single deletes). True when
  // the server confirmed every deletion.
  asio::awaitable<bool> DeleteBatch(const std::vector<RawEntry>& entries) {
    pugi::xml_document doc;
    pugi::xml_node del = doc.append_child("Delete");
    del.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
    del.append_child("Quiet").text().set("true");
    for (const RawEntry& e : entries) {
      del.append_child("Object").append_child("Key").text().set(e.key.c_str());
    }
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw);

    S3Request request;
    request.method = "POST";
    request.path = BucketPath();
    request.query = {{"delete", ""}};
    request.body = out.str();
    request.headers = {{"content-type", "application/xml"},
                       {"content-md5", util::base64_encode(util::md5(request.body))}};
    bool unavailable = false;
    net::HttpResponse response;
    try {
      response = co_await Perform(std::move(request), /*retry=*/false);
    } catch (const StorageUnavailable&) {
      unavailable = true;
    }
    if (unavailable || response.status != 200) co_return false;
    // DeleteObjects answers 200 even when single keys fail: look for <Error> entries.
    pugi::xml_document result;
    if (!result.load_buffer(response.body.data(), response.body.size())) co_return false;
    co_return !result.child("DeleteResult").child("Error");
  }

  asio::awaitable<std::uint64_t> Usage(std::string tenant_id) {
    std::uint64_t total = 0;
    co_await ForEachPage(std::move(tenant_id),
                         [&total](const std::vector<RawEntry>& entries) -> asio::awaitable<void> {
                           for (const RawEntry& e : entries) total += e.size;
                           co_return;
                         });
    co_return total;
  }

  std::string Presign(const std::string& tenant_id, const std::string& key,
                      std::chrono::seconds ttl) const {
    ttl = std::clamp(ttl, std::chrono::seconds(1), kMaxPresignTtl);
    return sigv4::presign_get_url(credentials_, endpoint_.scheme + "://" + dial_authority_,
                                  host_header_, ObjectPath(tenant_id, key),
                                  sigv4::amz_date(std::chrono::system_clock::now()), ttl,
                                  download_overrides(key));
  }

 private:
  // Up to kPartSize bytes from `source`; shorter only at its end.
  static asio::awaitable<std::string> FillPart(BodySource& source) {
    std::string part(kPartSize, '\0');
    std::size_t filled = 0;
    while (filled < part.size()) {
      const std::size_t n = co_await source.read(std::span<char>(part).subspan(filled));
      if (n == 0) break;
      filled += n;
    }
    part.resize(filled);
    co_return part;
  }

  // S3 may answer 200 with an <Error> body (CompleteMultipartUpload): that is a failure too.
  static pugi::xml_document ParseXml(const std::string& method, const net::HttpResponse& response) {
    pugi::xml_document doc;
    if (response.status != 200 ||
        !doc.load_buffer(response.body.data(), response.body.size()) || doc.child("Error")) {
      ThrowForStatus(method, response);
    }
    return doc;
  }

  asio::awaitable<std::string> CreateMultipart(const std::string& tenant_id,
                                               const std::string& key,
                                               const std::string& content_type) {
    S3Request request;
    request.method = "POST";
    request.path = ObjectPath(tenant_id, key);
    request.query = {{"uploads", ""}};
    request.headers = {{"content-type", content_type},
                       {"x-amz-server-side-encryption", "AES256"},
                       {"x-amz-meta-tenant_id", tenant_id}};
    const net::HttpResponse response = co_await Perform(std::move(request));
    const pugi::xml_document doc = ParseXml("CreateMultipartUpload", response);
    std::string id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
    if (id.empty()) throw StorageUnavailable("S3 CreateMultipartUpload: no UploadId");
    co_return id;
  }

  asio::awaitable<std::string> UploadPart(const std::string& tenant_id, const std::string& key,
                                          const std::string& upload_id, int number,
                                          std::string body) {
    S3Request request;
    request.method = "PUT";
    request.path = ObjectPath(tenant_id, key);
    request.query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}};
    request.body = std::move(body);
    const net::HttpResponse response = co_await Perform(std::move(request));
    if (response.status != 200) ThrowForStatus("UploadPart", response);
    std::string etag = response.header("etag");
    if (etag.empty()) throw StorageUnavailable("S3 UploadPart: the response has no ETag");
    co_return Quoted(etag);
  }

  asio::awaitable<ObjectInfo> CompleteMultipart(const std::string& tenant_id,
                                                const std::string& key,
                                                const std::string& upload_id,
                                                const std::vector<std::string>& etags) {
    pugi::xml_document xml;
    pugi::xml_node root = xml.append_child("CompleteMultipartUpload");
    for (std::size_t i = 0; i < etags.size(); ++i) {
      pugi::xml_node p = root.append_child("Part");
      p.append_child("PartNumber").text().set(static_cast<unsigned>(i + 1));
      p.append_child("ETag").text().set(etags[i].c_str());
    }
    std::ostringstream out;
    xml.save(out, "", pugi::format_raw);
    S3Request request;
    request.method = "POST";
    request.path = ObjectPath(tenant_id, key);
    request.query = {{"uploadId", upload_id}};
    request.headers = {{"content-type", "application/xml"}};
    request.body = out.str();
    const net::HttpResponse response = co_await Perform(std::move(request));
    const pugi::xml_document doc = ParseXml("CompleteMultipartUpload", response);
    ObjectInfo info;
    info.key = key;
    const std::string etag = doc.child("CompleteMultipartUploadResult").child_value("ETag");
    if (etag.empty()) throw StorageUnavailable("S3 CompleteMultipartUpload: no ETag");
    info.etag = Quoted(etag);
    info.last_modified = HttpDateToRfc3339(response.header("date"));
    if (info.last_modified.empty()) info.last_modified = FormatRfc3339(std::time(nullptr));
    co_return info;
  }

  asio::awaitable<void> AbortMultipart(std::string tenant_id, std::string key,
                                       std::string upload_id) {
    S3Request request;
    request.method = "DELETE";
    request.path = ObjectPath(tenant_id, key);
    request.query = {{"uploadId", upload_id}};
    try {
      co_await Perform(std::move(request), /*retry=*/false);
    } catch (const std::exception&) {
      // Best effort; see PutStream.
    }
  }

  // Sends one request (signed by curl), retrying connection failures and 5xx within the total
  // deadline. Returns any HTTP status; throws StorageUnavailable when S3 stays unreachable.
  asio::awaitable<net::HttpResponse> Perform(S3Request request, bool retry = true) {
    net::HttpRequest http = ToHttp(std::move(request), retry);
    const std::string method = http.method;
    std::exception_ptr error;
    net::HttpResponse response;
    try {
      response = co_await client_.send(std::move(http));
    } catch (...) {
      error = std::current_exception();
    }
    if (error) RethrowAsStorageError(error, method);
    co_return response;
  }

  net::HttpRequest ToHttp(S3Request request, bool retry) const {
    net::HttpRequest http;
    http.method = request.method;
    http.url = endpoint_.scheme + "://" + dial_authority_ +
               sigv4::uri_encode(request.path, /*keep_slash=*/true);
    if (!request.query.empty()) http.url += "?" + sigv4::canonical_query_string(request.query);
    http.headers.reserve(request.headers.size() + 1);
    for (auto& header : request.headers) http.headers.push_back(std::move(header));
    // S3 requires the payload hash header; curl signs it and uses it as the payload hash.
    http.headers.emplace_back("x-amz-content-sha256", util::sha256_hex(request.body));
    http.body = std::move(request.body);
    net::RequestOptions& o = http.options;
    o.timeout = options_.timeout;
    o.connect_timeout = options_.connect_timeout;
    o.max_response_bytes = request.max_response_bytes.value_or(options_.max_response_bytes);
    o.retry.max_attempts = retry ? options_.max_attempts : 1;
    o.retry.base_delay = std::chrono::milliseconds(100);
    o.retry.max_delay = std::chrono::milliseconds(1000);
    o.retry.non_idempotent = true;  // every S3 request we send is safe to repeat
    o.throw_on_http_error = false;  // S3's statuses carry meaning (404, error codes)
    o.path_as_is = true;            // the path is sent exactly as encoded (and signed)
    o.egress = net::EgressPolicy{/*allow_private=*/true};  // operator-configured endpoint
    o.aws_sigv4 = net::AwsSigV4{"aws:amz:" + options_.region + ":s3", options_.access_key,
                                options_.secret_key};
    return http;
  }

  S3Options options_;
  net::HttpClient& client_;
  Endpoint endpoint_;
  sigv4::Credentials credentials_;
  std::string dial_authority_;
  std::string host_header_;
  std::string bucket_path_;  // "" (virtual-hosted, no base path) or "/bucket"
};

S3Storage::S3Storage(S3Options options, net::HttpClient& client)
    : impl_(std::make_unique<Impl>(std::move(options), client)) {}

S3Storage::~S3Storage() = default;

// Arguments are checked (errors surface at the co_await, as for every backend) and copied
// before the first suspension.
asio::awaitable<ObjectInfo> S3Storage::put_stream(std::string_view tenant_id,
                                                  std::string_view key, BodySource& source,
                                                  std::string_view content_type,
                                                  std::optional<std::uint64_t>) {
  check_tenant_id(tenant_id);
  co_return co_await impl_->PutStream(std::string(tenant_id), checked_key(key), source,
                                      checked_content_type(content_type));
}

asio::awaitable<std::optional<Object>> S3Storage::get(std::string_view tenant_id,
                                                      std::string_view key) {
  check_tenant_id(tenant_id);
  co_return co_await impl_->Get(std::string(tenant_id), checked_key(key));
}

asio::awaitable<std::unique_ptr<ObjectReader>> S3Storage::open(
    std::string_view tenant_id, std::string_view key, std::optional<std::uint64_t> first_offset) {
  check_tenant_id(tenant_id);
  co_return co_await impl_->Open(std::string(tenant_id), checked_key(key), first_offset);
}

asio::awaitable<bool> S3Storage::remove(std::string_view tenant_id, std::string_view key) {
  check_tenant_id(tenant_id);
  co_return co_await impl_->Remove(std::string(tenant_id), checked_key(key));
}

asio::awaitable<ListPage> S3Storage::list(std::string_view tenant_id, std::string_view prefix,
                                          std::optional<std::string> cursor, int limit) {
  check_tenant_id(tenant_id);
  if (limit < 1 || limit > 1000) throw std::invalid_argument("limit must be within 1..1000");
  std::optional<std::string> after;
  if (cursor) after = decode_list_cursor(*cursor);
  co_return co_await impl_->List(std::string(tenant_id), checked_prefix(prefix), std::move(after),
                                 limit);
}

asio::awaitable<void> S3Storage::purge_tenant(std::string_view tenant_id) {
  check_tenant_id(tenant_id);
  co_await impl_->Purge(std::string(tenant_id));
}

asio::awaitable<std::uint64_t> S3Storage::usage_bytes(std::string_view tenant_id) {
  check_tenant_id(tenant_id);
  co_return co_await impl_->Usage(std::string(tenant_id));
}

std::optional<std::string> S3Storage::presigned_get_url(std::string_view tenant_id,
                                                        std::string_view key,
                                                        std::chrono::seconds ttl) const {
  check_tenant_id(tenant_id);
  return impl_->Presign(std::string(tenant_id), checked_key(key), ttl);
}

}  // namespace autoblog::storage
