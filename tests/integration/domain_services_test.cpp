// content::ContentService and tenancy::TenantService against a real database (and real local
// storage + in-process cache for deletion): their rules and their typed errors, including
// resumable tenant deletion when the storage purge fails.
#include <boost/asio/thread_pool.hpp>
#include <filesystem>

#include "auth/jwt.h"
#include "cache/in_process_cache.h"
#include "content/content_service.h"
#include "content/errors.h"
#include "storage/local_storage.h"
#include "tenancy/errors.h"
#include "tenancy/tenant_service.h"
#include "test_database.h"

using namespace autoblog;
using namespace autoblog::testing;

namespace {

// Real local storage whose purge can be made to fail, as an unreachable S3 would.
class FailingPurgeStorage : public storage::ObjectStorage {
 public:
  explicit FailingPurgeStorage(storage::ObjectStorage& real) : real_(real) {}
  bool fail_purge = false;

  boost::asio::awaitable<storage::ObjectInfo> put_stream(
      std::string_view t, std::string_view k, storage::BodySource& source, std::string_view type,
      std::optional<std::uint64_t> size) override {
    return real_.put_stream(t, k, source, type, size);
  }
  boost::asio::awaitable<std::optional<storage::Object>> get(std::string_view t,
                                                             std::string_view k) override {
    return real_.get(t, k);
  }
  boost::asio::awaitable<bool> remove(std::string_view t, std::string_view k) override {
    return real_.remove(t, k);
  }
  boost::asio::awaitable<storage::ListPage> list(std::string_view t, std::string_view prefix,
                                                 std::optional<std::string> cursor,
                                                 int limit) override {
    return real_.list(t, prefix, std::move(cursor), limit);
  }
  boost::asio::awaitable<void> purge_tenant(std::string_view t) override {
    if (fail_purge) throw storage::StorageUnavailable("storage is down (test)");
    return real_.purge_tenant(t);
  }
  boost::asio::awaitable<std::uint64_t> usage_bytes(std::string_view t) override {
    return real_.usage_bytes(t);
  }
  std::optional<std::string> presigned_get_url(std::string_view, std::string_view,
                                               std::chrono::seconds) const override {
    return std::nullopt;
  }

 private:
  storage::ObjectStorage& real_;
};

}  // namespace

class DomainServicesTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (!pool_) return;
    dir_ = std::filesystem::temp_directory_path() / ("ab_domain_" + util::random_hex(6));
    local_ = std::make_unique<storage::LocalStorage>(dir_, blocking_);
    storage_ = std::make_unique<FailingPurgeStorage>(*local_);
    registry_ = std::make_unique<tenancy::TenantRegistry>(
        *pool_, db::load_migrations(db::embedded_tenant_migrations()), std::chrono::seconds(30));
    tenants_ = std::make_unique<tenancy::TenantService>(*registry_, *storage_, cache_);
    content_ = std::make_unique<content::ContentService>(*pool_);
  }
  void TearDown() override {
    content_.reset();
    tenants_.reset();
    registry_.reset();
    storage_.reset();
    local_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    DatabaseTest::TearDown();
  }
  tenancy::Tenant create(std::optional<std::string> domain = std::nullopt) {
    return run(tenants_->create(tenancy::TenantSpec{"T " + util::random_hex(3), domain, "growth"}));
  }
  std::shared_ptr<const tenancy::ActiveTenant> active(const tenancy::Tenant& t) {
    return run(registry_->resolve_active(t.id));
  }
  std::string item(const tenancy::ActiveTenant& t, std::optional<std::string> brief = {}) {
    return run(content_->create(t, content::NewContent{"{\"idea\":1}", std::move(brief)}));
  }
  static std::string id_of(const std::string& json) {
    auto at = json.find("\"id\" : \"");
    if (at == std::string::npos) at = json.find("\"id\":\"");
    auto start = json.find('"', json.find(':', at) + 1) + 1;
    return json.substr(start, 36);
  }

  boost::asio::thread_pool blocking_{2};
  std::filesystem::path dir_;
  std::unique_ptr<storage::LocalStorage> local_;
  std::unique_ptr<FailingPurgeStorage> storage_;
  cache::InProcessCache cache_{1 << 20};
  std::unique_ptr<tenancy::TenantRegistry> registry_;
  std::unique_ptr<tenancy::TenantService> tenants_;
  std::unique_ptr<content::ContentService> content_;
};

TEST_F(DomainServicesTest, TenantInputIsValidatedWithTypedErrors) {
  using tenancy::InvalidInput;
  auto spec = [](std::string name, std::optional<std::string> domain, std::string tier) {
    return tenancy::TenantSpec{std::move(name), std::move(domain), std::move(tier)};
  };
  EXPECT_THROW(run(tenants_->create(spec("", std::nullopt, "starter"))), InvalidInput);
  EXPECT_THROW(run(tenants_->create(spec(std::string(256, 'x'), std::nullopt, "starter"))),
               InvalidInput);
  EXPECT_THROW(run(tenants_->create(spec("A", "not a host!", "starter"))), InvalidInput);
  EXPECT_THROW(run(tenants_->create(spec("A", std::nullopt, "platinum"))), InvalidInput);
  auto t = run(tenants_->create(spec("A", "Blog.Example.COM", "enterprise")));
  EXPECT_EQ(t.domain, "blog.example.com");
  EXPECT_EQ(t.tier, tenancy::Tier::kEnterprise);

  tenancy::TenantChanges bad_status;
  bad_status.status = "deleted";
  EXPECT_THROW(run(tenants_->update(t.id, bad_status)), InvalidInput);
  tenancy::TenantChanges bad_limit;
  bad_limit.limits = boost::json::object{{"requests_per_hour", 0}};
  EXPECT_THROW(run(tenants_->update(t.id, bad_limit)), InvalidInput);
  bad_limit.limits = boost::json::object{{"no_such_limit", 1}};
  EXPECT_THROW(run(tenants_->update(t.id, bad_limit)), InvalidInput);
  tenancy::TenantChanges good;
  good.limits = boost::json::object{{"requests_per_hour", 7}};
  EXPECT_EQ(run(tenants_->update(t.id, good)).effective_limits().requests_per_hour, 7);

  EXPECT_THROW(run(tenants_->get("not-a-uuid")), InvalidInput);
  EXPECT_THROW(run(tenants_->get(util::uuid_v4())), tenancy::TenantNotFound);
  EXPECT_THROW(run(tenants_->update(util::uuid_v4(), good)), tenancy::TenantNotFound);
  EXPECT_THROW(run(tenants_->list(20, std::string("!!"))), InvalidInput);
  EXPECT_THROW(run(tenants_->list(0, std::nullopt)), InvalidInput);

  auth::JwtCodec jwt(std::string(32, 'k'));
  EXPECT_THROW(run(tenants_->issue_token(jwt, t.id, 0)), InvalidInput);
  EXPECT_THROW(run(tenants_->issue_token(jwt, util::uuid_v4(), 60)), tenancy::TenantNotFound);
  auto issued = run(tenants_->issue_token(jwt, t.id, 60));
  auto claims = jwt.verify(issued.token, issued.expires_at - 30);
  ASSERT_TRUE(std::holds_alternative<auth::JwtClaims>(claims));
  EXPECT_EQ(std::get<auth::JwtClaims>(claims).tenant_id, t.id);
}

TEST_F(DomainServicesTest, TakenDomainIsDomainTaken) {
  create("taken.example.com");
  EXPECT_THROW(create("taken.example.com"), tenancy::DomainTaken);
  auto other = create();
  tenancy::TenantChanges c;
  c.domain = std::optional<std::string>("taken.example.com");
  EXPECT_THROW(run(tenants_->update(other.id, c)), tenancy::DomainTaken);
  // DomainTaken is a conflict to every caller
  try {
    create("taken.example.com");
    FAIL() << "no exception";
  } catch (const domain::Error& e) {
    EXPECT_EQ(e.kind(), domain::ErrorKind::kConflict);
  }
}

TEST_F(DomainServicesTest, DeletionIsResumableAfterAFailedPurge) {
  auto t = create("gone.example.com");
  auto a = active(t);
  run(storage_->put(t.id, "a.txt", "hello", "text/plain"));
  run(cache_.set(t.id, "k", "v", std::chrono::seconds(60)));

  storage_->fail_purge = true;
  EXPECT_THROW(run(tenants_->remove(t.id)), storage::StorageUnavailable);
  // Refused from the first step on, and its domain is free, but its data is still there.
  EXPECT_THROW(active(t), tenancy::TenantInactive);
  EXPECT_THROW(run(tenants_->get(t.id)), tenancy::TenantNotFound);
  create("gone.example.com");
  EXPECT_TRUE(run(local_->get(t.id, "a.txt")).has_value());
  EXPECT_EQ(query("SELECT purged_at IS NULL FROM autoblog_core.tenants WHERE id = '" + t.id + "'"),
            "t");

  storage_->fail_purge = false;
  run(tenants_->remove(t.id));  // finishes the purge
  EXPECT_FALSE(run(local_->get(t.id, "a.txt")).has_value());
  EXPECT_FALSE(run(cache_.get(t.id, "k")).has_value());
  EXPECT_EQ(
      query("SELECT purged_at IS NOT NULL FROM autoblog_core.tenants WHERE id = '" + t.id + "'"),
      "t");
  EXPECT_THROW(run(tenants_->remove(t.id)), tenancy::TenantNotFound);
  EXPECT_THROW(run(tenants_->remove(util::uuid_v4())), tenancy::TenantNotFound);
  // A TenantTx opened from the stale ActiveTenant finds the schema gone: typed, not a DbError.
  EXPECT_THROW(run(content_->get(*a, util::uuid_v4())), tenancy::TenantInactive);
}

TEST_F(DomainServicesTest, ContentLifecycleFollowsTheLegalTransitions) {
  auto a = active(create());
  auto json = item(*a);
  auto id = id_of(json);
  EXPECT_NE(json.find("\"inspiration\""), std::string::npos) << json;
  EXPECT_NE(item(*a, "{\"angle\":\"x\"}").find("\"briefed\""), std::string::npos);

  content::ContentChanges to_published;
  to_published.status = "published";
  EXPECT_THROW(run(content_->update(*a, id, to_published)), content::IllegalTransition);
  content::ContentChanges unknown;
  unknown.status = "nonsense";
  EXPECT_THROW(run(content_->update(*a, id, unknown)), content::InvalidInput);
  content::ContentChanges to_briefed;
  to_briefed.status = "briefed";
  to_briefed.brief_json = std::optional<std::string>("{\"angle\":\"y\"}");
  auto updated = run(content_->update(*a, id, to_briefed));
  EXPECT_NE(updated.find("\"briefed\""), std::string::npos) << updated;
  content::ContentChanges same;  // no status: only fields change
  same.generated_json = std::optional<std::string>();
  EXPECT_NO_THROW(run(content_->update(*a, id, same)));
  EXPECT_THROW(run(content_->update(*a, util::uuid_v4(), to_briefed)), content::NotFound);

  run(content_->remove(*a, id));
  EXPECT_THROW(run(content_->get(*a, id)), content::NotFound);
  EXPECT_THROW(run(content_->remove(*a, id)), content::NotFound);
  EXPECT_THROW(run(content_->get(*a, "not-a-uuid")), content::InvalidInput);
}

TEST_F(DomainServicesTest, ContentListsPageWithCursorsAndFilter) {
  auto a = active(create());
  for (int i = 0; i < 5; ++i) item(*a);
  item(*a, "{}");
  content::PageRequest page{2, std::nullopt};
  std::size_t seen = 0;
  int pages = 0;
  do {
    auto p = run(content_->list(*a, std::nullopt, page));
    seen += p.items.size();
    page.cursor = p.next_cursor;
    ++pages;
  } while (page.cursor && pages < 10);
  EXPECT_EQ(seen, 6u);
  EXPECT_EQ(pages, 3);
  auto briefed = run(content_->list(*a, std::string("briefed"), content::PageRequest{20, {}}));
  EXPECT_EQ(briefed.items.size(), 1u);
  EXPECT_THROW(run(content_->list(*a, std::string("nonsense"), content::PageRequest{20, {}})),
               content::InvalidInput);
  EXPECT_THROW(run(content_->list(*a, std::nullopt, content::PageRequest{20, "!!"})),
               content::InvalidInput);
  EXPECT_THROW(run(content_->list(*a, std::nullopt, content::PageRequest{0, {}})),
               content::InvalidInput);
  EXPECT_EQ(run(content_->count_created_today(*a)), 6);
}

TEST_F(DomainServicesTest, PerformanceRecordsBelongToAnExistingItem) {
  auto a = active(create());
  auto id = id_of(item(*a));
  content::NewPerformance rec{"{\"views\":3}", std::string("2024-01-02T03:04:05Z")};
  run(content_->add_performance(*a, id, rec));
  EXPECT_THROW(run(content_->add_performance(*a, util::uuid_v4(), rec)), content::NotFound);
  content::NewPerformance bad_date{"{}", std::string("yesterday")};
  EXPECT_THROW(run(content_->add_performance(*a, id, bad_date)), content::InvalidInput);
  auto page = run(content_->list_performance(*a, id, content::PageRequest{20, {}}));
  EXPECT_EQ(page.items.size(), 1u);
  EXPECT_THROW(run(content_->list_performance(*a, util::uuid_v4(), content::PageRequest{20, {}})),
               content::NotFound);
}

TEST_F(DomainServicesTest, ContentOfAnotherTenantIsNotFound) {
  auto a = active(create());
  auto b = active(create());
  auto id = id_of(item(*a));
  EXPECT_THROW(run(content_->get(*b, id)), content::NotFound);
  EXPECT_THROW(run(content_->remove(*b, id)), content::NotFound);
  EXPECT_NO_THROW(run(content_->get(*a, id)));
}
