// Integration tests for tenant object storage.
//
// One typed suite runs the ObjectStorage contract against both backends: LocalStorage in a temp
// directory, and S3Storage against s3rver when AUTOBLOG_TEST_S3_ENDPOINT is set (bucket
// "autoblog", credentials S3RVER/S3RVER; skipped otherwise). Then backend-specific tests:
// LocalStorage crash safety (a child killed with SIGKILL mid-upload), temp-file sweeping, the
// path-escape defence; S3Storage request shape (curl's SigV4 checked against our own) and error
// mapping against a tiny fake HTTP server (always runs), presigned URLs against s3rver, and a
// hung s3rver (SIGSTOP) failing within the request deadline, then recovering (SIGCONT).
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.h"
#include "storage/blocking_executor.h"
#include "storage/local_storage.h"
#include "storage/object_key.h"
#include "storage/s3_storage.h"
#include "storage/sigv4.h"
#include "util/base64.h"
#include "util/crypto.h"
#include "util/random.h"

namespace autoblog::storage {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

// Runs an awaitable to completion on a private io_context (LocalStorage's pool does the blocking
// work; S3Storage's HttpClient runs on its own io_context thread, TestClient() below, and resumes
// the coroutine here) and returns its result or rethrows its exception.
template <class T>
T Await(asio::awaitable<T> awaitable) {
  asio::io_context ctx;
  auto future = asio::co_spawn(ctx, std::move(awaitable), asio::use_future);
  ctx.run();
  return future.get();
}

// The S3 tests' HttpClient, on a background io_context thread for the whole test program. The
// client is destroyed after that thread has stopped, as HttpClient requires.
struct TestHttp {
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  net::HttpClient client{ioc.get_executor()};
  std::thread thread{[this] { ioc.run(); }};
  ~TestHttp() {
    work.reset();
    ioc.stop();
    thread.join();
  }
};

net::HttpClient& TestClient() {
  static TestHttp http;
  return http.client;
}

fs::path MakeTempDir() {
  std::string pattern = (fs::temp_directory_path() / "abstorage.XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

const char* S3Endpoint() {
  const char* e = std::getenv("AUTOBLOG_TEST_S3_ENDPOINT");
  return e != nullptr && *e != '\0' ? e : nullptr;
}

S3Options TestS3Options(std::string endpoint) {
  S3Options o;
  o.endpoint = std::move(endpoint);
  o.bucket = "autoblog";
  o.region = "us-east-1";
  o.access_key = "S3RVER";
  o.secret_key = "S3RVER";
  return o;
}

struct LocalBackend {
  static constexpr bool kIsS3 = false;
  static const char* unavailable() { return nullptr; }
  static std::unique_ptr<ObjectStorage> make(asio::thread_pool& pool, const fs::path& dir) {
    return std::make_unique<LocalStorage>(dir / "storage", pool);
  }
};

struct S3Backend {
  static constexpr bool kIsS3 = true;
  static const char* unavailable() {
    return S3Endpoint() ? nullptr : "AUTOBLOG_TEST_S3_ENDPOINT is not set";
  }
  static std::unique_ptr<ObjectStorage> make(asio::thread_pool&, const fs::path&) {
    return std::make_unique<S3Storage>(TestS3Options(S3Endpoint()), TestClient());
  }
};

template <class Backend>
class StorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* why = Backend::unavailable()) GTEST_SKIP() << why;
    dir_ = MakeTempDir();
    storage_ = Backend::make(pool_, dir_);
    // Fresh tenants per test: s3rver keeps its data between tests and runs.
    a_ = util::uuid_v4();
    b_ = util::uuid_v4();
  }
  void TearDown() override {
    if (storage_) {
      for (const auto& t : {a_, b_}) {
        try {
          Await(storage_->purge_tenant(t));
        } catch (...) {
        }
      }
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  ObjectInfo Put(const std::string& tenant, const std::string& key, std::string body,
                 const std::string& type = "text/plain") {
    return Await(storage_->put(tenant, key, std::move(body), type));
  }
  std::optional<Object> Get(const std::string& tenant, const std::string& key) {
    return Await(storage_->get(tenant, key));
  }
  bool Remove(const std::string& tenant, const std::string& key) {
    return Await(storage_->remove(tenant, key));
  }
  ListPage List(const std::string& tenant, const std::string& prefix = "",
                std::optional<std::string> cursor = std::nullopt, int limit = 100) {
    return Await(storage_->list(tenant, prefix, std::move(cursor), limit));
  }
  static std::vector<std::string> Keys(const ListPage& page) {
    std::vector<std::string> keys;
    for (const auto& item : page.items) keys.push_back(item.key);
    return keys;
  }

  asio::thread_pool pool_{2};
  fs::path dir_;
  std::unique_ptr<ObjectStorage> storage_;
  std::string a_;
  std::string b_;
};

using Backends = ::testing::Types<LocalBackend, S3Backend>;
class BackendNames {
 public:
  template <class T>
  static std::string GetName(int) {
    return T::kIsS3 ? "S3" : "Local";
  }
};
TYPED_TEST_SUITE(StorageTest, Backends, BackendNames);

// "2026-01-02T03:04:05Z" (no std::regex: GCC 12 warns falsely inside it under sanitizers).
bool IsRfc3339(const std::string& s) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.ddddddZ";
  if (s.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (kShape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != kShape[i]) {
      return false;
    }
  }
  return true;
}

// "\"<32 lowercase hex digits>\"": an MD5 ETag.
bool IsQuotedMd5(const std::string& s) {
  if (s.size() != 34 || s.front() != '"' || s.back() != '"') return false;
  return std::all_of(s.begin() + 1, s.end() - 1,
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

TYPED_TEST(StorageTest, PutGetRoundTripWithContentTypeAndEtag) {
  const ObjectInfo put = this->Put(this->a_, "docs/hello world.txt", "hello", "text/plain");
  EXPECT_EQ(put.key, "docs/hello world.txt");
  EXPECT_EQ(put.size, 5u);
  EXPECT_EQ(put.content_type, "text/plain");
  // The MD5 of "hello", quoted as HTTP and S3 spell it.
  EXPECT_EQ(put.etag, "\"5d41402abc4b2a76b9719d911017c592\"");
  EXPECT_TRUE(IsRfc3339(put.last_modified)) << put.last_modified;

  const auto got = this->Get(this->a_, "docs/hello world.txt");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->body, "hello");
  EXPECT_EQ(got->info.key, "docs/hello world.txt");
  EXPECT_EQ(got->info.size, 5u);
  EXPECT_EQ(got->info.content_type, "text/plain");
  EXPECT_EQ(got->info.etag, put.etag);
  EXPECT_TRUE(IsRfc3339(got->info.last_modified)) << got->info.last_modified;
}

TYPED_TEST(StorageTest, BinaryBodiesUnicodeKeysAndDefaultContentType) {
  std::string body;
  for (int i = 0; i < (1 << 20) + 7; ++i) body.push_back(static_cast<char>(i * 7 % 256));
  const ObjectInfo put = this->Put(this->a_, "bin/ünï €.dat", body, "");
  EXPECT_EQ(put.content_type, "application/octet-stream");
  EXPECT_TRUE(IsQuotedMd5(put.etag)) << put.etag;
  const auto got = this->Get(this->a_, "bin/ünï €.dat");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->body.size(), body.size());
  EXPECT_TRUE(got->body == body);
  EXPECT_EQ(got->info.content_type, "application/octet-stream");
  EXPECT_EQ(got->info.etag, put.etag);

  const ObjectInfo empty = this->Put(this->a_, "empty", "", "image/png");
  EXPECT_EQ(empty.size, 0u);
  EXPECT_EQ(empty.etag, "\"d41d8cd98f00b204e9800998ecf8427e\"");
  const auto got_empty = this->Get(this->a_, "empty");
  ASSERT_TRUE(got_empty.has_value());
  EXPECT_EQ(got_empty->body, "");
  EXPECT_EQ(got_empty->info.content_type, "image/png");
}

TYPED_TEST(StorageTest, GetMissingIsNullopt) {
  EXPECT_FALSE(this->Get(this->a_, "nothing/here.txt").has_value());
  this->Put(this->a_, "dir/file", "x");
  EXPECT_FALSE(this->Get(this->a_, "dir").has_value());  // a "folder" is not an object
  EXPECT_FALSE(this->Get(this->a_, "dir/file/deeper").has_value());
}

TYPED_TEST(StorageTest, OverwriteReplacesBodyTypeAndEtag) {
  const ObjectInfo v1 = this->Put(this->a_, "page.html", "<p>one</p>", "text/html");
  const ObjectInfo v2 = this->Put(this->a_, "page.html", "{\"two\":2}", "application/json");
  EXPECT_NE(v1.etag, v2.etag);
  const auto got = this->Get(this->a_, "page.html");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->body, "{\"two\":2}");
  EXPECT_EQ(got->info.content_type, "application/json");
  EXPECT_EQ(got->info.etag, v2.etag);
  EXPECT_EQ(this->Keys(this->List(this->a_)), std::vector<std::string>{"page.html"});
}

TYPED_TEST(StorageTest, RemoveReportsWhetherAnObjectWasDeleted) {
  this->Put(this->a_, "x/y.txt", "y");
  EXPECT_TRUE(this->Remove(this->a_, "x/y.txt"));
  EXPECT_FALSE(this->Get(this->a_, "x/y.txt").has_value());
  EXPECT_FALSE(this->Remove(this->a_, "x/y.txt"));
  EXPECT_FALSE(this->Remove(this->a_, "never/was.txt"));
  EXPECT_TRUE(this->List(this->a_).items.empty());
  // The emptied folder does not block an object of the same name.
  this->Put(this->a_, "x", "now a file");
  EXPECT_EQ(this->Get(this->a_, "x")->body, "now a file");
}

TYPED_TEST(StorageTest, ListIsSortedAndFilteredByPrefix) {
  for (const char* key : {"img/b.png", "img/a.png", "img/sub/c.png", "img-x", "docs/d.txt", "z"}) {
    this->Put(this->a_, key, key);
  }
  EXPECT_EQ(this->Keys(this->List(this->a_)),
            (std::vector<std::string>{"docs/d.txt", "img-x", "img/a.png", "img/b.png",
                                      "img/sub/c.png", "z"}));
  EXPECT_EQ(this->Keys(this->List(this->a_, "img/")),
            (std::vector<std::string>{"img/a.png", "img/b.png", "img/sub/c.png"}));
  EXPECT_EQ(this->Keys(this->List(this->a_, "img")),
            (std::vector<std::string>{"img-x", "img/a.png", "img/b.png", "img/sub/c.png"}));
  EXPECT_EQ(this->Keys(this->List(this->a_, "img/sub/c")),
            std::vector<std::string>{"img/sub/c.png"});
  EXPECT_TRUE(this->List(this->a_, "nope/").items.empty());
  EXPECT_FALSE(this->List(this->a_).next_cursor.has_value());

  const ListPage page = this->List(this->a_, "docs/");
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].size, std::string("docs/d.txt").size());
  EXPECT_TRUE(IsQuotedMd5(page.items[0].etag)) << page.items[0].etag;
  EXPECT_TRUE(IsRfc3339(page.items[0].last_modified));
}

TYPED_TEST(StorageTest, ListPaginatesWithOpaqueCursor) {
  const std::vector<std::string> keys = {"p/1", "p/2", "p/3", "p/4", "p/5"};
  for (const auto& k : keys) this->Put(this->a_, k, k);
  this->Put(this->a_, "q/other", "not in the prefix");

  std::vector<std::string> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    const ListPage page = this->List(this->a_, "p/", cursor, 2);
    ++pages;
    ASSERT_LE(page.items.size(), 2u);
    for (const auto& item : page.items) seen.push_back(item.key);
    cursor = page.next_cursor;
    ASSERT_LE(pages, 5) << "pagination does not terminate";
  } while (cursor);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, keys);

  // An exactly full last page has no cursor to an empty page.
  const ListPage first = this->List(this->a_, "p/", std::nullopt, 5);
  EXPECT_EQ(first.items.size(), 5u);
  EXPECT_FALSE(first.next_cursor.has_value());
}

TYPED_TEST(StorageTest, MalformedCursorPrefixOrLimitIsInvalidArgument) {
  this->Put(this->a_, "k", "v");
  const std::vector<std::string> cursors = {"!!!",
                                            "a=b",
                                            "Zg==",
                                            " ",
                                            "",
                                            util::base64url_encode("../x"),
                                            util::base64url_encode("/abs"),
                                            util::base64url_encode(std::string("a\0b", 3))};
  for (const std::string& cursor : cursors) {
    EXPECT_THROW(this->List(this->a_, "", cursor, 10), std::invalid_argument) << cursor;
  }
  EXPECT_THROW(this->List(this->a_, "../", std::nullopt, 10), std::invalid_argument);
  EXPECT_THROW(this->List(this->a_, "a//", std::nullopt, 10), std::invalid_argument);
  EXPECT_THROW(this->List(this->a_, "", std::nullopt, 0), std::invalid_argument);
  EXPECT_THROW(this->List(this->a_, "", std::nullopt, 1001), std::invalid_argument);
  // A well-formed cursor naming any key is fine, even one that does not exist.
  EXPECT_TRUE(this->List(this->a_, "", util::base64url_encode("j"), 10).items.size() == 1u);
}

TYPED_TEST(StorageTest, TenantsAreIsolated) {
  this->Put(this->a_, "same/key.txt", "A's data");
  this->Put(this->b_, "same/key.txt", "B's data");
  this->Put(this->b_, "only-b.txt", "B only");

  EXPECT_EQ(this->Get(this->a_, "same/key.txt")->body, "A's data");
  EXPECT_EQ(this->Get(this->b_, "same/key.txt")->body, "B's data");
  EXPECT_FALSE(this->Get(this->a_, "only-b.txt").has_value());
  EXPECT_FALSE(this->Remove(this->a_, "only-b.txt"));
  EXPECT_EQ(this->Keys(this->List(this->a_)), std::vector<std::string>{"same/key.txt"});
  EXPECT_TRUE(this->List(this->a_, "only").items.empty());

  EXPECT_TRUE(this->Remove(this->a_, "same/key.txt"));
  EXPECT_EQ(this->Get(this->b_, "same/key.txt")->body, "B's data");
  EXPECT_EQ(this->Keys(this->List(this->b_)),
            (std::vector<std::string>{"only-b.txt", "same/key.txt"}));
}

TYPED_TEST(StorageTest, TraversalKeysAndBadTenantIdsNeverReachTheBackend) {
  this->Put(this->b_, "x", "B's secret");
  const std::vector<std::string> keys = {"../" + this->b_ + "/x",
                                         "../../tenants/" + this->b_ + "/x",
                                         "/etc/passwd",
                                         "a//b",
                                         "a\\b",
                                         "%2e%2e/x",
                                         "",
                                         "a/./b"};
  for (const std::string& key : keys) {
    EXPECT_THROW(this->Put(this->a_, key, "evil"), std::invalid_argument) << key;
    EXPECT_THROW(this->Get(this->a_, key), std::invalid_argument) << key;
    EXPECT_THROW(this->Remove(this->a_, key), std::invalid_argument) << key;
  }
  const std::vector<std::string> tenants = {"", "..", "../" + this->b_, "not-a-uuid",
                                            this->b_ + "/x"};
  for (const std::string& tenant : tenants) {
    EXPECT_THROW(this->Get(tenant, "x"), std::invalid_argument) << tenant;
    EXPECT_THROW(this->Put(tenant, "x", "evil"), std::invalid_argument) << tenant;
  }
  std::string upper = this->b_;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_THROW(this->Get(upper, "x"), std::invalid_argument);
  EXPECT_THROW(this->Put(this->a_, "x", "t", "text/plain\r\nx-amz-acl: public-read"),
               std::invalid_argument);
  EXPECT_EQ(this->Get(this->b_, "x")->body, "B's secret");
}

TYPED_TEST(StorageTest, PurgeTenantRemovesOnlyThatTenant) {
  for (const char* key : {"a", "b/c", "b/d/e"}) {
    this->Put(this->a_, key, "A");
    this->Put(this->b_, key, "B");
  }
  Await(this->storage_->purge_tenant(this->a_));
  EXPECT_TRUE(this->List(this->a_).items.empty());
  EXPECT_FALSE(this->Get(this->a_, "b/c").has_value());
  EXPECT_EQ(Await(this->storage_->usage_bytes(this->a_)), 0u);
  EXPECT_EQ(this->Keys(this->List(this->b_)), (std::vector<std::string>{"a", "b/c", "b/d/e"}));
  EXPECT_EQ(this->Get(this->b_, "b/d/e")->body, "B");
  // Purging again (or a tenant with nothing stored) is a no-op, and the tenant can start over.
  Await(this->storage_->purge_tenant(this->a_));
  this->Put(this->a_, "fresh", "again");
  EXPECT_EQ(this->Keys(this->List(this->a_)), std::vector<std::string>{"fresh"});
}

TYPED_TEST(StorageTest, UsageBytesSumsObjectSizes) {
  EXPECT_EQ(Await(this->storage_->usage_bytes(this->a_)), 0u);
  this->Put(this->a_, "one", std::string(10, '1'));
  this->Put(this->a_, "dir/two", std::string(20, '2'));
  this->Put(this->a_, "dir/deep/three", std::string(5, '3'));
  this->Put(this->b_, "other", std::string(1000, 'b'));
  EXPECT_EQ(Await(this->storage_->usage_bytes(this->a_)), 35u);
  this->Put(this->a_, "one", std::string(1, '1'));  // overwrite counts once
  EXPECT_EQ(Await(this->storage_->usage_bytes(this->a_)), 26u);
  this->Remove(this->a_, "dir/two");
  EXPECT_EQ(Await(this->storage_->usage_bytes(this->a_)), 6u);
}

TYPED_TEST(StorageTest, PresignedUrls) {
  const auto url =
      this->storage_->presigned_get_url(this->a_, "img/a.png", std::chrono::minutes(5));
  if constexpr (TypeParam::kIsS3) {
    ASSERT_TRUE(url.has_value());
    EXPECT_NE(url->find("/autoblog/tenants/" + this->a_ + "/img/a.png?"), std::string::npos);
    EXPECT_NE(url->find("X-Amz-Signature="), std::string::npos);
    EXPECT_NE(url->find("X-Amz-Expires=300"), std::string::npos);
  } else {
    EXPECT_FALSE(url.has_value());
  }
  EXPECT_THROW((void)this->storage_->presigned_get_url(this->a_, "../x", std::chrono::minutes(5)),
               std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// run_blocking: the helper every backend's blocking work goes through.

// A body produced on the fly, `piece` bytes per read (a socket's pace), optionally throwing
// after `fail_after` bytes (a client that goes away mid-upload).
class GeneratedSource final : public BodySource {
 public:
  GeneratedSource(std::size_t size, std::size_t piece,
                  std::optional<std::size_t> fail_after = std::nullopt)
      : size_(size), piece_(piece), fail_after_(fail_after) {}
  asio::awaitable<std::size_t> read(std::span<char> out) override {
    if (fail_after_ && offset_ >= *fail_after_) throw std::runtime_error("client went away");
    const std::size_t n = std::min({out.size(), piece_, size_ - offset_});
    for (std::size_t i = 0; i < n; ++i) out[i] = ByteAt(offset_ + i);
    offset_ += n;
    co_return n;
  }
  static char ByteAt(std::size_t i) { return static_cast<char>((i * 2654435761u) >> 13); }
  static std::string Expected(std::size_t size) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i) s[i] = ByteAt(i);
    return s;
  }

 private:
  std::size_t size_;
  std::size_t piece_;
  std::optional<std::size_t> fail_after_;
  std::size_t offset_ = 0;
};

// 20 MiB: over three S3 parts (multipart: create, five parts, complete), many local chunks.
TYPED_TEST(StorageTest, PutStreamStoresALargeBodyWhole) {
  constexpr std::size_t kSize = (20u << 20) + 12345;
  GeneratedSource source(kSize, 100000);
  const ObjectInfo info = Await(
      this->storage_->put_stream(this->a_, "big/stream.bin", source, "application/x-big", kSize));
  EXPECT_EQ(info.size, kSize);
  const auto got = this->Get(this->a_, "big/stream.bin");
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->body == GeneratedSource::Expected(kSize));
  EXPECT_EQ(got->info.content_type, "application/x-big");
  EXPECT_EQ(got->info.etag, info.etag);
  // (S3 answers "<md5 of part md5s>-5" for a multipart object, s3rver the body's MD5: the
  // request shape is checked against a fake S3 in S3RequestTest.)
  if (!TypeParam::kIsS3) {
    EXPECT_EQ(info.etag, '"' + util::md5_hex(got->body) + '"');
  }
  const auto page = this->List(this->a_, "big/");
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].size, kSize);
}

// A source failing mid-body (after one S3 part has gone) stores nothing and keeps the old
// version; on local disk no temp file is left.
TYPED_TEST(StorageTest, PutStreamWhoseSourceFailsStoresNothing) {
  this->Put(this->a_, "keep", "old version");
  for (const std::string key : {"keep", "new"}) {
    GeneratedSource source(20u << 20, 1u << 20, (9u << 20));
    EXPECT_THROW(Await(this->storage_->put_stream(this->a_, key, source, "text/plain",
                                                  std::nullopt)),
                 std::runtime_error);
  }
  EXPECT_EQ(this->Keys(this->List(this->a_)), std::vector<std::string>{"keep"});
  EXPECT_EQ(this->Get(this->a_, "keep")->body, "old version");
  if (!TypeParam::kIsS3) {
    EXPECT_TRUE(fs::is_empty(this->dir_ / "storage" / ".tmp"));
  }
}

// An empty stream is an empty object, not an error.
// Downloads read objects by range (ObjectReader): every piece of the version that was opened,
// whatever first piece the open fetched, and never a mix of two versions.
TYPED_TEST(StorageTest, OpenReadsRangesOfTheOpenedVersion) {
  std::string body((3u << 20) + 123, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>((i * 131) >> 7);
  const ObjectInfo put = this->Put(this->a_, "r/big.bin", body, "application/x-test");
  for (const std::optional<std::uint64_t> first :
       {std::optional<std::uint64_t>(), std::optional<std::uint64_t>(0),
        std::optional<std::uint64_t>(5), std::optional<std::uint64_t>(body.size() - 1)}) {
    SCOPED_TRACE(first ? std::to_string(*first) : "metadata only");
    auto reader = Await(this->storage_->open(this->a_, "r/big.bin", first));
    ASSERT_NE(reader, nullptr);
    EXPECT_EQ(reader->info().size, body.size());
    EXPECT_EQ(reader->info().etag, put.etag);
    EXPECT_EQ(reader->info().content_type, "application/x-test");
    ASSERT_GT(reader->chunk_size(), 0u);
    EXPECT_LE(reader->chunk_size(), 1u << 20);  // a download holds one piece, not the object
    // Out of order, across piece boundaries, and the tail.
    EXPECT_EQ(Await(reader->read(body.size() - 10, 100)), body.substr(body.size() - 10));
    EXPECT_EQ(Await(reader->read(5, 7)), body.substr(5, 7));
    std::string whole;
    while (whole.size() < body.size()) {
      auto piece = Await(reader->read(whole.size(), reader->chunk_size()));
      ASSERT_FALSE(piece.empty());
      whole += piece;
    }
    EXPECT_TRUE(whole == body);
    EXPECT_EQ(Await(reader->read(body.size(), 10)), "");
  }
  EXPECT_EQ(Await(this->storage_->open(this->a_, "r/missing", std::nullopt)), nullptr);
  EXPECT_EQ(Await(this->storage_->open(this->a_, "r/missing", 0)), nullptr);
  EXPECT_EQ(Await(this->storage_->open(this->b_, "r/big.bin", 0)), nullptr);  // B's view

  this->Put(this->a_, "r/empty", "");
  for (const std::optional<std::uint64_t> first :
       {std::optional<std::uint64_t>(), std::optional<std::uint64_t>(0)}) {
    auto reader = Await(this->storage_->open(this->a_, "r/empty", first));
    ASSERT_NE(reader, nullptr);
    EXPECT_EQ(reader->info().size, 0u);
  }
}

TYPED_TEST(StorageTest, AReplacedObjectNeverMixesVersions) {
  const std::string v1(200000, 'a');
  this->Put(this->a_, "r/v.bin", v1);
  auto reader = Await(this->storage_->open(this->a_, "r/v.bin", std::nullopt));
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(Await(reader->read(0, 10)), std::string(10, 'a'));
  this->Put(this->a_, "r/v.bin", std::string(300000, 'b'));
  if constexpr (TypeParam::kIsS3) {
    // S3 reads by range: the next one sees another ETag and refuses.
    EXPECT_THROW(Await(reader->read(10, 10)), StorageUnavailable);
  } else {
    // The open file is the old version, whole, until the reader closes it.
    EXPECT_EQ(Await(reader->read(10, 10)), std::string(10, 'a'));
    EXPECT_EQ(Await(reader->read(v1.size() - 1, 10)), "a");
  }
}

TYPED_TEST(StorageTest, PutStreamOfNothingIsAnEmptyObject) {
  GeneratedSource source(0, 100);
  const ObjectInfo info =
      Await(this->storage_->put_stream(this->a_, "empty", source, "text/plain", std::nullopt));
  EXPECT_EQ(info.size, 0u);
  EXPECT_EQ(this->Get(this->a_, "empty")->body, "");
}

struct NoDefault {
  explicit NoDefault(int v) : value(v) {}
  int value;
};

TEST(RunBlocking, RunsOnThePoolResumesOnTheCallerAndPropagatesExceptions) {
  asio::thread_pool pool(1);
  asio::io_context ctx;
  const std::thread::id io_thread = std::this_thread::get_id();
  std::thread::id work_thread;
  std::thread::id resumed_thread;
  auto body = [&]() -> asio::awaitable<int> {
    auto job = [&] {
      work_thread = std::this_thread::get_id();
      return NoDefault(42);  // no default constructor needed
    };
    const NoDefault result = co_await run_blocking(pool, job);
    resumed_thread = std::this_thread::get_id();
    int value = result.value;
    auto failing = []() -> int { throw std::logic_error("boom"); };
    try {
      value += co_await run_blocking(pool, failing);
    } catch (const std::logic_error&) {
      value += 1;
    }
    bool ran = false;
    auto void_job = [&ran] { ran = true; };
    co_await run_blocking(pool, void_job);
    co_return ran ? value : -1;
  };
  auto future = asio::co_spawn(ctx, body(), asio::use_future);
  ctx.run();
  EXPECT_EQ(future.get(), 43);
  EXPECT_NE(work_thread, io_thread);
  EXPECT_EQ(resumed_thread, io_thread);
}

// ---------------------------------------------------------------------------------------------
// LocalStorage specifics

class LocalStorageTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir(); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path root() const { return dir_ / "storage"; }
  std::size_t TempFiles() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(root() / ".tmp")) ++n;
    return n;
  }
  asio::thread_pool pool_{2};
  fs::path dir_;
  std::string tenant_ = util::uuid_v4();
};

// Files written before streaming have an unpadded header: they must still read, list and count.
TEST_F(LocalStorageTest, FilesWithTheUnpaddedHeaderStillRead) {
  LocalStorage storage(root(), pool_);
  Await(storage.put(tenant_, "new", "x", "text/plain"));  // creates the tenant directory
  const std::string json = R"({"content_type":"text/plain","etag":"\")" +
                           util::md5_hex("old body") + R"(\"","size":8})";
  char len[16];
  std::snprintf(len, sizeof len, "%08zx\n", json.size());
  std::ofstream(root() / "tenants" / tenant_ / "old", std::ios::binary)
      << "ABOBJ1\n" << len << json << "old body";
  const auto got = Await(storage.get(tenant_, "old"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->body, "old body");
  EXPECT_EQ(got->info.etag, '"' + util::md5_hex("old body") + '"');
  EXPECT_EQ(Await(storage.usage_bytes(tenant_)), 9u);
  EXPECT_EQ(Await(storage.list(tenant_, "", std::nullopt, 10)).items.size(), 2u);
}

TEST_F(LocalStorageTest, ObjectsLiveUnderTenantsDirectory) {
  LocalStorage storage(root(), pool_);
  Await(storage.put(tenant_, "images/2026/a b.png", "png", "image/png"));
  EXPECT_TRUE(fs::is_regular_file(root() / "tenants" / tenant_ / "images/2026/a b.png"));
  EXPECT_EQ(TempFiles(), 0u);
}

// Local only: S3 itself guarantees last-writer-wins for one key, but s3rver writes objects in
// place, so concurrent PUTs of one key can interleave there.
TEST_F(LocalStorageTest, ConcurrentPutsOfOneKeyLeaveOneWholeVersion) {
  LocalStorage storage(root(), pool_);
  std::vector<std::string> bodies;
  for (int i = 0; i < 8; ++i)
    bodies.push_back(std::string(64 * 1024 + i, static_cast<char>('a' + i)));
  asio::io_context ctx;
  std::atomic<int> done{0};
  for (const auto& body : bodies) {
    asio::co_spawn(ctx, storage.put(tenant_, "race", body, "text/plain"),
                   [&done](std::exception_ptr e, ObjectInfo) {
                     if (!e) ++done;
                   });
  }
  ctx.run();
  EXPECT_EQ(done.load(), 8);
  const auto got = Await(storage.get(tenant_, "race"));
  ASSERT_TRUE(got.has_value());
  EXPECT_NE(std::find(bodies.begin(), bodies.end(), got->body), bodies.end());
  EXPECT_EQ(Await(storage.list(tenant_, "", std::nullopt, 10)).items.size(), 1u);
  EXPECT_EQ(TempFiles(), 0u);
}

// A child process starts a 200 MB overwrite through the normal put() path and is SIGKILLed while
// the data is being written: the previous version must survive whole, nothing partial may ever
// be visible, and the next start sweeps the abandoned temp file.
TEST_F(LocalStorageTest, KillDuringPutNeverLeavesAPartialObject) {
  {
    LocalStorage storage(root(), pool_);
    Await(storage.put(tenant_, "big.bin", "version 1", "text/plain"));
  }
  constexpr std::size_t kBigSize = 200u << 20;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    asio::thread_pool pool(1);
    LocalStorage storage(root(), pool);
    std::string body(kBigSize, 'x');
    (void)!::write(ready[1], "r", 1);
    asio::io_context ctx;
    asio::co_spawn(ctx, storage.put(tenant_, "big.bin", std::move(body), "application/x-big"),
                   asio::detached);
    ctx.run();
    ::_exit(0);
  }
  ::close(ready[1]);
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);

  // Kill as soon as the temp file has data in it: the write is under way. (Polling for that
  // instead of sleeping a fixed 50 ms keeps the test meaningful on fast and slow machines.)
  bool seen_in_progress = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root() / ".tmp", ec)) {
      if (e.is_regular_file(ec) && e.file_size(ec) > 0 && !ec) seen_in_progress = true;
    }
    if (seen_in_progress) break;
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) break;  // finished before we saw it
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(seen_in_progress) << "the upload finished before it could be interrupted";

  LocalStorage storage(root(), pool_);  // restart: sweeps the dead child's temp file
  EXPECT_EQ(TempFiles(), 0u);
  const auto got = Await(storage.get(tenant_, "big.bin"));
  ASSERT_TRUE(got.has_value());
  if (seen_in_progress) {
    EXPECT_EQ(got->body, "version 1");
    EXPECT_EQ(got->info.content_type, "text/plain");
  }
  // Whatever the timing, the object is one whole version, never a prefix of the new one.
  EXPECT_TRUE(got->body == "version 1" || got->body.size() == kBigSize);
  const ListPage page = Await(storage.list(tenant_, "", std::nullopt, 100));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].key, "big.bin");
  EXPECT_EQ(page.items[0].size, got->body.size());
}

TEST_F(LocalStorageTest, SweepRemovesAbandonedTempFilesButNotLiveOnes) {
  { LocalStorage storage(root(), pool_); }
  const fs::path abandoned = root() / ".tmp" / "dead.part";
  const fs::path live = root() / ".tmp" / "live.part";
  std::ofstream(abandoned) << "partial";
  std::ofstream(live) << "in progress";
  const int fd = ::open(live.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // as a writer in another process holds it
  fs::create_directories(root() / ".tmp" / ("purge-" + tenant_ + "-0001") / "x");

  LocalStorage storage(root(), pool_);
  EXPECT_FALSE(fs::exists(abandoned));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_FALSE(fs::exists(root() / ".tmp" / ("purge-" + tenant_ + "-0001")));
  ::close(fd);
  EXPECT_TRUE(Await(storage.list(tenant_, "", std::nullopt, 10)).items.empty());
}

TEST_F(LocalStorageTest, SymlinkOutOfTheTenantTreeIsRefused) {
  LocalStorage storage(root(), pool_);
  const fs::path outside = dir_ / "outside";
  fs::create_directories(outside);
  fs::create_directories(root() / "tenants" / tenant_);
  fs::create_directory_symlink(outside, root() / "tenants" / tenant_ / "link");
  EXPECT_THROW(Await(storage.put(tenant_, "link/x", "escaped", "text/plain")),
               std::invalid_argument);
  EXPECT_TRUE(fs::is_empty(outside));
  std::ofstream(outside / "secret") << "not yours";
  EXPECT_THROW(Await(storage.get(tenant_, "link/secret")), std::invalid_argument);
  EXPECT_THROW(Await(storage.remove(tenant_, "link/secret")), std::invalid_argument);
  EXPECT_TRUE(fs::exists(outside / "secret"));
  EXPECT_TRUE(Await(storage.list(tenant_, "", std::nullopt, 10)).items.empty());
}

TEST_F(LocalStorageTest, FileFolderCollisionsAndLongNamesAreInvalidArguments) {
  LocalStorage storage(root(), pool_);
  Await(storage.put(tenant_, "a", "file", "text/plain"));
  EXPECT_THROW(Await(storage.put(tenant_, "a/b", "x", "text/plain")), InvalidKey);
  Await(storage.put(tenant_, "c/d", "x", "text/plain"));
  EXPECT_THROW(Await(storage.put(tenant_, "c", "x", "text/plain")), InvalidKey);
  const std::string long_name(256, 'n');
  EXPECT_THROW(Await(storage.put(tenant_, long_name, "x", "text/plain")), InvalidKey);
  EXPECT_THROW(Await(storage.get(tenant_, long_name)), InvalidKey);  // was a 500 in the API
  EXPECT_THROW(Await(storage.remove(tenant_, "d/" + long_name)), InvalidKey);
  EXPECT_THROW(Await(storage.list(tenant_, long_name, std::nullopt, 10)), InvalidKey);
  Await(storage.put(tenant_, std::string(255, 'n'), "x", "text/plain"));  // NAME_MAX fits
  EXPECT_EQ(TempFiles(), 0u);  // failed uploads clean up after themselves
}

// ---------------------------------------------------------------------------------------------
// S3Storage request shape and error mapping, against a fake S3 that records requests and answers
// with a canned response (one connection per request).

class FakeS3 {
 public:
  FakeS3(int status, std::string body) : status_(status), body_(std::move(body)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 16) != 0) {
      throw std::runtime_error("fake S3: bind/listen failed");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeS3() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      const int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      std::string request;
      char buf[65536];
      std::size_t header_end = std::string::npos;
      std::size_t need = 0;
      while (true) {
        const ssize_t n = ::read(conn, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
        if (header_end == std::string::npos) {
          header_end = request.find("\r\n\r\n");
          if (header_end == std::string::npos) continue;
          std::string head = request.substr(0, header_end);
          for (char& ch : head)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          const std::size_t at = head.find("\r\ncontent-length:");
          if (at != std::string::npos) need = std::stoul(head.substr(at + 17));
        }
        if (request.size() >= header_end + 4 + need) break;
      }
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      const bool head = request.rfind("HEAD ", 0) == 0;
      std::string response = "HTTP/1.1 " + std::to_string(status_) +
                             " Status\r\nConnection: close\r\nETag: \"abc\"\r\n"
                             "Content-Type: application/xml\r\nContent-Length: " +
                             std::to_string(body_.size()) + "\r\n\r\n" + (head ? "" : body_);
      (void)!::write(conn, response.data(), response.size());
      ::close(conn);
    }
  }

  int status_;
  std::string body_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> requests_;
};

class S3RequestTest : public ::testing::Test {
 protected:
  std::string tenant_ = util::uuid_v4();
};

TEST_F(S3RequestTest, PutIsSignedEncryptedAndTaggedWithTheTenant) {
  FakeS3 fake(200, "");
  S3Storage storage(TestS3Options(fake.endpoint()), TestClient());
  const ObjectInfo info = Await(storage.put(tenant_, "img/a b+ü.png", "PNGDATA", "image/png"));
  EXPECT_EQ(info.etag, "\"abc\"");
  const auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 1u);
  const std::string& r = requests[0];
  EXPECT_EQ(r.rfind("PUT /autoblog/tenants/" + tenant_ + "/img/a%20b%2B%C3%BC.png HTTP/1.1\r\n", 0),
            0u)
      << r;
  // curl spells the Host header its own way ("Host:"); the value is what was signed.
  EXPECT_NE(r.find("\r\nHost: " + fake.host() + "\r\n"), std::string::npos) << r;
  EXPECT_NE(r.find("\r\nx-amz-server-side-encryption: AES256\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\nx-amz-meta-tenant_id: " + tenant_ + "\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\ncontent-type: image/png\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\nx-amz-content-sha256: " + util::sha256_hex("PNGDATA") + "\r\n"),
            std::string::npos);
  EXPECT_NE(r.find("\r\nAuthorization: AWS4-HMAC-SHA256 Credential=S3RVER/"), std::string::npos);
  // curl signs (CURLOPT_AWS_SIGV4): every header we set is signed, and the signature is the one
  // our own SigV4 code (tested against AWS's examples) computes for the same request.
  EXPECT_NE(r.find("/us-east-1/s3/aws4_request, SignedHeaders=content-type;host;"
                   "x-amz-content-sha256;x-amz-date;x-amz-meta-tenant_id;"
                   "x-amz-server-side-encryption, Signature="),
            std::string::npos)
      << r;
  const std::size_t date_at = r.find("\r\nX-Amz-Date: ");
  ASSERT_NE(date_at, std::string::npos) << r;
  const std::string amz_date = r.substr(date_at + 14, 16);
  sigv4::Request expected;
  expected.method = "PUT";
  expected.path = "/autoblog/tenants/" + tenant_ + "/img/a b+\xC3\xBC.png";
  expected.headers = {{"content-type", "image/png"},
                      {"host", fake.host()},
                      {"x-amz-content-sha256", util::sha256_hex("PNGDATA")},
                      {"x-amz-date", amz_date},
                      {"x-amz-meta-tenant_id", tenant_},
                      {"x-amz-server-side-encryption", "AES256"}};
  expected.payload_sha256 = util::sha256_hex("PNGDATA");
  sigv4::Credentials credentials{"S3RVER", "S3RVER", "us-east-1", "s3"};
  EXPECT_NE(r.find("Signature=" + sigv4::signature(credentials, expected, amz_date) + "\r\n"),
            std::string::npos)
      << r;
  EXPECT_EQ(r.substr(r.size() - 7), "PNGDATA");
}

// One canned body answers both CreateMultipartUpload and CompleteMultipartUpload (pugixml reads
// several top-level elements); UploadPart's ETag is the fake's "abc".
constexpr std::string_view kMultipartReplies =
    "<InitiateMultipartUploadResult><UploadId>up1</UploadId></InitiateMultipartUploadResult>"
    "<CompleteMultipartUploadResult><ETag>\"m-3\"</ETag></CompleteMultipartUploadResult>";

std::string FirstLine(const std::string& r) { return r.substr(0, r.find("\r\n")); }

TEST_F(S3RequestTest, LargeStreamIsAMultipartUploadOnePartAtATime) {
  FakeS3 fake(200, std::string(kMultipartReplies));
  S3Storage storage(TestS3Options(fake.endpoint()), TestClient());
  constexpr std::size_t kPart = 5u << 20;  // S3Storage's part size
  constexpr std::size_t kSize = 2 * kPart + 5;
  GeneratedSource source(kSize, 1u << 20);
  const ObjectInfo info =
      Await(storage.put_stream(tenant_, "big.bin", source, "application/x-big", kSize));
  EXPECT_EQ(info.etag, "\"m-3\"");
  EXPECT_EQ(info.size, kSize);
  const auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 5u);
  const std::string path = "/autoblog/tenants/" + tenant_ + "/big.bin";
  EXPECT_EQ(FirstLine(requests[0]), "POST " + path + "?uploads= HTTP/1.1");
  EXPECT_NE(requests[0].find("\r\nx-amz-server-side-encryption: AES256\r\n"), std::string::npos);
  EXPECT_NE(requests[0].find("\r\nx-amz-meta-tenant_id: " + tenant_ + "\r\n"), std::string::npos);
  EXPECT_NE(requests[0].find("\r\ncontent-type: application/x-big\r\n"), std::string::npos);
  const std::string expected = GeneratedSource::Expected(kSize);
  for (int part = 1; part <= 3; ++part) {
    const std::string& r = requests[static_cast<std::size_t>(part)];
    EXPECT_EQ(FirstLine(r),
              "PUT " + path + "?partNumber=" + std::to_string(part) + "&uploadId=up1 HTTP/1.1");
    const std::size_t offset = static_cast<std::size_t>(part - 1) * kPart;
    const std::string body = expected.substr(offset, kPart);
    EXPECT_NE(r.find("\r\nx-amz-content-sha256: " + util::sha256_hex(body) + "\r\n"),
              std::string::npos);
    EXPECT_EQ(r.substr(r.find("\r\n\r\n") + 4) == body, true) << "part " << part;
  }
  EXPECT_EQ(FirstLine(requests[4]), "POST " + path + "?uploadId=up1 HTTP/1.1");
  EXPECT_NE(requests[4].find("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
                             "<ETag>\"abc\"</ETag></Part><Part><PartNumber>2</PartNumber>"),
            std::string::npos)
      << requests[4].substr(requests[4].find("\r\n\r\n"));
}

TEST_F(S3RequestTest, FailedStreamAbortsTheMultipartUpload) {
  FakeS3 fake(200, std::string(kMultipartReplies));
  S3Storage storage(TestS3Options(fake.endpoint()), TestClient());
  GeneratedSource source(20u << 20, 1u << 20, 9u << 20);
  EXPECT_THROW(Await(storage.put_stream(tenant_, "big.bin", source, "text/plain", std::nullopt)),
               std::runtime_error);
  const auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 3u);  // create, part 1, abort: never a complete
  EXPECT_EQ(FirstLine(requests[2]),
            "DELETE /autoblog/tenants/" + tenant_ + "/big.bin?uploadId=up1 HTTP/1.1");
}

TEST_F(S3RequestTest, RemoveOfAMissingObjectSendsNoDelete) {
  FakeS3 fake(404, "");
  S3Storage storage(TestS3Options(fake.endpoint()), TestClient());
  EXPECT_FALSE(Await(storage.remove(tenant_, "gone.txt")));
  const auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].rfind("HEAD ", 0), 0u);
}

TEST_F(S3RequestTest, ListAsksOnlyForTheTenantPrefix) {
  FakeS3 fake(200,
              "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>true</IsTruncated>"
              "<Contents><Key>tenants/" +
                  tenant_ +
                  "/a</Key><Size>3</Size><ETag>\"e\"</ETag>"
                  "<LastModified>2026-01-02T03:04:05.000Z</LastModified></Contents>"
                  "<Contents><Key>tenants/someone-else/b</Key><Size>1</Size></Contents>"
                  "</ListBucketResult>");
  S3Storage storage(TestS3Options(fake.endpoint()), TestClient());
  const ListPage page = Await(storage.list(tenant_, "", util::base64url_encode("0"), 2));
  ASSERT_EQ(page.items.size(), 1u);  // a foreign key from a confused server is dropped
  EXPECT_EQ(page.items[0].key, "a");
  EXPECT_EQ(page.items[0].size, 3u);
  EXPECT_EQ(page.items[0].last_modified, "2026-01-02T03:04:05.000000Z");
  EXPECT_EQ(page.next_cursor, util::base64url_encode("a"));
  const std::string r = fake.requests().at(0);
  EXPECT_NE(r.find("GET /autoblog?list-type=2&max-keys=2&prefix=tenants%2F" + tenant_ +
                   "%2F&start-after=tenants%2F" + tenant_ + "%2F0 HTTP/1.1"),
            std::string::npos)
      << r;
}

TEST_F(S3RequestTest, ForbiddenIsAnErrorWithS3sCode) {
  FakeS3 fake(403,
              "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code>"
              "<Message>Access Denied</Message></Error>");
  S3Storage storage(TestS3Options(fake.endpoint()), TestClient());
  try {
    Await(storage.get(tenant_, "x"));
    ADD_FAILURE() << "expected an exception";
  } catch (const StorageUnavailable& e) {
    ADD_FAILURE() << "403 is not an outage: " << e.what();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("AccessDenied"), std::string::npos) << e.what();
  }
  EXPECT_EQ(fake.requests().size(), 1u);  // not retried
}

TEST_F(S3RequestTest, KeyErrorsAreInvalidKeyOtherClientErrorsAreNot) {
  // S3's "this key cannot be stored" answers are the client's input (400), never a 500.
  for (const std::string code : {"KeyTooLongError", "InvalidArgument"}) {
    FakeS3 fake(400, "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code></Error>");
    S3Storage storage(TestS3Options(fake.endpoint()), TestClient());
    EXPECT_THROW(Await(storage.put(tenant_, "k", "body", "text/plain")), InvalidKey) << code;
    EXPECT_THROW(Await(storage.get(tenant_, "k")), InvalidKey) << code;
  }
  FakeS3 other(400, "<?xml version=\"1.0\"?><Error><Code>BadDigest</Code></Error>");
  S3Storage storage(TestS3Options(other.endpoint()), TestClient());
  try {
    Await(storage.put(tenant_, "k", "body", "text/plain"));
    ADD_FAILURE() << "expected an exception";
  } catch (const InvalidKey& e) {
    ADD_FAILURE() << "BadDigest is not a key error: " << e.what();
  } catch (const std::runtime_error&) {
  }
}

TEST_F(S3RequestTest, ServerErrorsAreRetriedThenUnavailable) {
  FakeS3 fake(503, "<Error><Code>SlowDown</Code></Error>");
  S3Storage storage(TestS3Options(fake.endpoint()), TestClient());
  EXPECT_THROW(Await(storage.put(tenant_, "x", "body", "text/plain")), StorageUnavailable);
  EXPECT_EQ(fake.requests().size(), 3u);
}

TEST_F(S3RequestTest, UnreachableEndpointIsUnavailable) {
  // Bind then close a socket for a port that is (almost certainly) closed.
  int port = 0;
  {
    FakeS3 probe(200, "");
    port = std::stoi(probe.endpoint().substr(std::string("http://127.0.0.1:").size()));
  }
  S3Storage storage(TestS3Options("http://127.0.0.1:" + std::to_string(port)), TestClient());
  EXPECT_THROW(Await(storage.get(tenant_, "x")), StorageUnavailable);
  EXPECT_THROW(Await(storage.usage_bytes(tenant_)), StorageUnavailable);
}

TEST_F(S3RequestTest, EndpointPathPortAndIpv6LiteralShapeTheUrls) {
  S3Options o = TestS3Options("https://[::1]:9000/base/");
  S3Storage storage(o, TestClient());
  const auto url = storage.presigned_get_url(tenant_, "k.txt", std::chrono::seconds(60));
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->rfind("https://[::1]:9000/base/autoblog/tenants/" + tenant_ + "/k.txt?", 0), 0u)
      << *url;
  o = TestS3Options("https://s3.example.com:443");
  o.path_style = false;
  S3Storage virtual_hosted(o, TestClient());
  const auto url2 = virtual_hosted.presigned_get_url(tenant_, "k.txt", std::chrono::seconds(60));
  ASSERT_TRUE(url2.has_value());
  EXPECT_EQ(url2->rfind("https://autoblog.s3.example.com:443/tenants/" + tenant_ + "/k.txt?", 0),
            0u)
      << *url2;
}

// Presigned URLs are served from the bucket's origin (no nosniff, no CSP sandbox): they always
// ask S3 for an attachment of opaque bytes, with a filename reduced to [A-Za-z0-9._-].
TEST_F(S3RequestTest, PresignedUrlsForceADownload) {
  S3Storage storage(TestS3Options("http://127.0.0.1:4569"), TestClient());
  auto query_of = [&](const std::string& key) {
    auto url = storage.presigned_get_url(tenant_, key, std::chrono::seconds(60));
    EXPECT_TRUE(url.has_value());
    return url->substr(url->find('?'));
  };
  EXPECT_NE(query_of("site/page.html")
                .find("&response-content-disposition=attachment%3B%20filename%3D%22page.html%22"
                      "&response-content-type=application%2Foctet-stream&"),
            std::string::npos);
  // quotes, semicolons, non-ASCII bytes and spaces never reach the header
  EXPECT_NE(query_of("d/\xc3\xa9v\"il;x y.svg").find("filename%3D%22__v_il_x_y.svg%22"),
            std::string::npos);
  EXPECT_NE(query_of("d/...").find("filename%3D%22download%22"), std::string::npos);
}

TEST_F(S3RequestTest, RejectsMalformedEndpoints) {
  for (const char* endpoint : {"127.0.0.1:4569", "ftp://host", "http://", "http://u@host/",
                               "http://host/?x=1", "http://host/#f", "http://a b/"}) {
    EXPECT_THROW(S3Storage(TestS3Options(endpoint), TestClient()), std::invalid_argument)
        << endpoint;
  }
}

// ---------------------------------------------------------------------------------------------
// Presigned URLs against s3rver: the URL alone downloads the object.

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

TEST(S3PresignTest, PresignedUrlDownloadsTheObject) {
  const char* endpoint = S3Endpoint();
  if (endpoint == nullptr) GTEST_SKIP() << "AUTOBLOG_TEST_S3_ENDPOINT is not set";
  S3Storage storage(TestS3Options(endpoint), TestClient());
  const std::string tenant = util::uuid_v4();
  Await(storage.put(tenant, "shared/report 1.txt", "presigned body", "text/plain"));
  const auto url = storage.presigned_get_url(tenant, "shared/report 1.txt", std::chrono::hours(1));
  ASSERT_TRUE(url.has_value());

  CURL* h = curl_easy_init();
  std::string body;
  std::string headers;
  curl_easy_setopt(h, CURLOPT_URL, url->c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &Append);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &headers);
  ASSERT_EQ(curl_easy_perform(h), CURLE_OK);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "presigned body");
  // s3rver echoes the user metadata we stored with the object.
  EXPECT_NE(headers.find("x-amz-meta-tenant_id: " + tenant), std::string::npos) << headers;
  Await(storage.purge_tenant(tenant));
}

// ---------------------------------------------------------------------------------------------
// A hung S3: a private s3rver (so stopping it disturbs no other test) is SIGSTOPped. The kernel
// still accepts connections, so only the deadline can end the request: the call must fail with
// StorageUnavailable within S3Options::timeout, and succeed again after SIGCONT.

// node_modules/.bin/s3rver of this checkout (or $AUTOBLOG_TEST_S3RVER_BIN), like the e2e harness.
std::string S3rverBinary() {
  if (const char* bin = std::getenv("AUTOBLOG_TEST_S3RVER_BIN"); bin != nullptr && *bin != '\0') {
    return bin;
  }
  // This source file's checkout (__FILE__ may be relative to the build directory, where ctest
  // runs the tests), else the working directory or one of its parents.
  std::vector<fs::path> roots;
  const fs::path source(__FILE__);
  roots.push_back((source.is_relative() ? fs::current_path() / source : source)
                      .parent_path()
                      .parent_path()
                      .parent_path());
  for (fs::path dir = fs::current_path(); !dir.empty(); dir = dir.parent_path()) {
    roots.push_back(dir);
    if (dir == dir.root_path()) break;
  }
  for (const fs::path& root : roots) {
    const fs::path bin = root / "node_modules/.bin/s3rver";
    if (::access(bin.c_str(), X_OK) == 0) return bin.string();
  }
  return "";
}

class PrivateS3rver {
 public:
  explicit PrivateS3rver(const std::string& binary) : dir_(MakeTempDir()) {
    {
      // A free port: bind to 0, read it back, release it for s3rver.
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      socklen_t len = sizeof addr;
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
      port_ = ntohs(addr.sin_port);
      ::close(fd);
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string port = std::to_string(port_);
      const std::string data = (dir_ / "s3").string();
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      // s3rver 3.7.1 uses a cipher Node 20 only offers with the legacy provider.
      ::setenv("NODE_OPTIONS", "--openssl-legacy-provider", 1);
      ::execl(binary.c_str(), binary.c_str(), "-d", data.c_str(), "-a", "127.0.0.1", "-p",
              port.c_str(), "--configure-bucket", "autoblog", "--silent", nullptr);
      ::_exit(127);
    }
  }
  ~PrivateS3rver() {
    if (pid_ > 0) {
      ::kill(pid_, SIGCONT);
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // Waits until it accepts connections (s3rver has no readiness signal but its port).
  bool wait_ready() const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<std::uint16_t>(port_));
      const bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
      ::close(fd);
      if (up) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) return false;  // it died
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

 private:
  fs::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST(S3HangTest, StoppedServerIsUnavailableWithinTheDeadlineThenRecovers) {
  const std::string binary = S3rverBinary();
  if (binary.empty()) GTEST_SKIP() << "node_modules/.bin/s3rver is not installed";
  PrivateS3rver server(binary);
  ASSERT_TRUE(server.wait_ready()) << "s3rver did not start";

  S3Options options = TestS3Options(server.endpoint());
  options.timeout = std::chrono::milliseconds(1500);
  S3Storage storage(options, TestClient());
  const std::string tenant = util::uuid_v4();
  Await(storage.put(tenant, "a.txt", "hello", "text/plain"));

  ASSERT_EQ(::kill(server.pid(), SIGSTOP), 0);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(Await(storage.get(tenant, "a.txt")), StorageUnavailable);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(1400));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1500 + 1000));  // deadline + slack
  EXPECT_THROW(Await(storage.list(tenant, "", std::nullopt, 10)), StorageUnavailable);

  ASSERT_EQ(::kill(server.pid(), SIGCONT), 0);
  const std::optional<Object> object = Await(storage.get(tenant, "a.txt"));
  ASSERT_TRUE(object.has_value());
  EXPECT_EQ(object->body, "hello");
  EXPECT_TRUE(Await(storage.remove(tenant, "a.txt")));
}

}  // namespace
}  // namespace autoblog::storage
