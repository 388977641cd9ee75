#include "db/errors.h"
#include "db/transaction.h"
#include "tenancy/errors.h"
#include "tenancy/registry.h"
#include "tenancy/schema_name.h"
#include "tenancy/tenant_migrator.h"
#include "tenancy/tenant_tx.h"
#include "test_database.h"

using namespace autoblog;
using namespace autoblog::testing;

namespace {
std::vector<db::Migration> tenant_migrations() {
  return db::load_migrations(db::embedded_tenant_migrations());
}
// Built field by field: GCC 12 warns falsely (stringop-overflow) on the aggregate form.
db::Migration migration(int version, std::string name, std::string sql) {
  db::Migration m;
  m.version = version;
  m.name = std::move(name);
  m.sql = std::move(sql);
  return m;
}
}  // namespace

class TenancyTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (!pool_) return;
    registry_ = std::make_unique<tenancy::TenantRegistry>(*pool_, tenant_migrations(),
                                                          std::chrono::seconds(30));
  }
  void TearDown() override {
    registry_.reset();
    DatabaseTest::TearDown();
  }
  tenancy::Tenant create(const std::string& name, std::optional<std::string> domain = {}) {
    return run(registry_->create(tenancy::NewTenant{name, domain, tenancy::Tier::kStarter}));
  }
  std::shared_ptr<const tenancy::ActiveTenant> active(const tenancy::Tenant& t) {
    return run(registry_->resolve_active(t.id));
  }
  std::unique_ptr<tenancy::TenantRegistry> registry_;
};

TEST_F(TenancyTest, ProvisioningCreatesExactlyTheSeedTables) {
  auto t = create("Acme");
  EXPECT_EQ(t.schema_name, tenancy::schema_name_for(t.id));
  EXPECT_EQ(t.schema_version, db::latest_version(tenant_migrations()));
  auto tables = query(
      "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables "
      "WHERE table_schema = '" + t.schema_name + "'");
  EXPECT_EQ(tables, "brand_configs,content_performance,content_pipelines");
  auto columns = query(
      "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
      "information_schema.columns WHERE table_schema = '" + t.schema_name +
      "' AND table_name = 'content_pipelines'");
  EXPECT_EQ(columns,
            "id,status,inspiration_data,content_brief,generated_content,visual_assets,"
            "quality_scores,published_at,created_at,updated_at,generation,publications");
  EXPECT_EQ(query("SELECT status::text FROM autoblog_core.tenants WHERE id = '" + t.id + "'"),
            "active");
}

TEST_F(TenancyTest, DuplicateDomainLeavesNoHalfMadeTenant) {
  create("A", "blog.example.com");
  auto schemas_before = query("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tenant_%'");
  EXPECT_THROW(create("B", "blog.example.com"), db::UniqueViolation);
  EXPECT_EQ(query("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tenant_%'"),
            schemas_before);
  EXPECT_EQ(query("SELECT count(*) FROM autoblog_core.tenants"), "1");
}

TEST_F(TenancyTest, FailingMigrationLeavesNoHalfMadeTenant) {
  auto broken = tenant_migrations();
  broken.push_back(migration(9999, "9999_broken.sql", "CREATE TABLE oops (id int); SELECT 1/0;"));
  tenancy::TenantRegistry registry(*pool_, broken, std::chrono::seconds(1));
  EXPECT_THROW(run(registry.create(tenancy::NewTenant{"X", std::nullopt, tenancy::Tier::kGrowth})),
               db::DbError);
  EXPECT_EQ(query("SELECT count(*) FROM autoblog_core.tenants"), "0");
  EXPECT_EQ(query("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tenant_%'"), "0");
}

TEST_F(TenancyTest, TenantTransactionSeesOnlyItsOwnSchemaAndDoesNotLeakSearchPath) {
  auto a = active(create("A"));
  auto b = active(create("B"));
  constexpr db::TenantQuery kInsert{
      "t_insert", "INSERT INTO {schema}.content_pipelines (inspiration_data) VALUES ($1::jsonb)"};
  constexpr db::TenantQuery kCount{"t_count", "SELECT count(*) FROM {schema}.content_pipelines"};
  constexpr db::CoreQuery kPath{"t_path", "SELECT current_setting('search_path')"};
  run([&]() -> boost::asio::awaitable<int> {
    auto tx = co_await tenancy::TenantTx::begin(*pool_, *a);
    db::Params p{db::param(std::string("{\"x\":1}"))};
    co_await tx.exec(kInsert, std::move(p));
    co_await tx.commit();
    co_return 0;
  }());
  auto count_in = [&](const tenancy::ActiveTenant& t) {
    return run([&]() -> boost::asio::awaitable<std::int64_t> {
      auto tx = co_await tenancy::TenantTx::begin(*pool_, t);
      auto r = co_await tx.commit_with(kCount);
      co_return r.get_int(0, 0);
    }());
  };
  EXPECT_EQ(count_in(*a), 1);
  EXPECT_EQ(count_in(*b), 0);
  // Pooled connections keep an empty search_path: no tenant schema is ever in it.
  auto path = run([&]() -> boost::asio::awaitable<std::string> {
    auto tx = co_await db::CoreTx::begin(*pool_);
    auto r = co_await tx.commit_with(kPath);
    co_return std::string(r.get(0, 0));
  }());
  EXPECT_EQ(path, "\"\"");
}

TEST_F(TenancyTest, UncommittedTransactionRollsBack) {
  auto a = create("A");
  auto active_a = active(a);
  constexpr db::TenantQuery kInsert{
      "t_insert2", "INSERT INTO {schema}.content_pipelines (inspiration_data) VALUES ('{}')"};
  run([&]() -> boost::asio::awaitable<int> {
    auto tx = co_await tenancy::TenantTx::begin(*pool_, *active_a);
    co_await tx.exec(kInsert);
    co_return 0;  // no commit
  }());
  // The rollback runs when the connection is returned; drain the io_context.
  ioc_.restart();
  ioc_.run();
  EXPECT_EQ(query("SELECT count(*) FROM " + a.schema_name + ".content_pipelines"), "0");
}

// active_if_cached (the request path's synchronous try) gives resolve_active's answer once the
// cache holds one, and nullptr while it does not.
TEST_F(TenancyTest, OnlyActiveTenantsResolveToAnActiveTenant) {
  auto a = create("A");
  EXPECT_EQ(active(a)->id(), a.id);
  auto cached = registry_->active_if_cached(a.id);
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ(cached->id(), a.id);
  tenancy::TenantPatch patch;
  patch.status = tenancy::Status::kSuspended;
  ASSERT_TRUE(run(registry_->update(a.id, patch)));
  EXPECT_EQ(registry_->active_if_cached(a.id), nullptr);  // invalidated by the change
  EXPECT_THROW(active(a), tenancy::TenantInactive);
  EXPECT_THROW(registry_->active_if_cached(a.id), tenancy::TenantInactive);
  const auto unknown = util::uuid_v4();
  EXPECT_EQ(registry_->active_if_cached(unknown), nullptr);
  EXPECT_THROW(run(registry_->resolve_active(unknown)), tenancy::TenantInactive);
  EXPECT_THROW(registry_->active_if_cached(unknown), tenancy::TenantInactive);
  ASSERT_TRUE(run(registry_->begin_deletion(a.id)));
  EXPECT_THROW(active(a), tenancy::TenantInactive);
}

// Authorised, then deleted (here, or by another node) before the query: a typed 403 error,
// not a database error.
TEST_F(TenancyTest, TenantTxOfADeletedTenantThrowsTenantInactive) {
  auto a = active(create("A"));
  ASSERT_TRUE(run(registry_->begin_deletion(a->id())));
  constexpr db::TenantQuery kCount{"t_count_gone",
                                   "SELECT count(*) FROM {schema}.content_pipelines"};
  EXPECT_THROW(run([&]() -> boost::asio::awaitable<int> {
                 auto tx = co_await tenancy::TenantTx::begin(*pool_, *a);
                 co_await tx.commit_with(kCount);
                 co_return 1;
               }()),
               tenancy::TenantInactive);
  EXPECT_THROW(run([&]() -> boost::asio::awaitable<int> {
                 auto tx = co_await tenancy::TenantTx::begin(*pool_, *a);
                 co_await tx.exec(kCount);
                 co_return 1;
               }()),
               tenancy::TenantInactive);
}

TEST_F(TenancyTest, ResolveIsCachedAndInvalidatedOnChange) {
  auto a = create("A");
  auto first = run(registry_->resolve(a.id));
  ASSERT_TRUE(first);
  auto second = run(registry_->resolve(a.id));
  EXPECT_EQ(first.get(), second.get());  // served from the cache
  tenancy::TenantPatch patch;
  patch.status = tenancy::Status::kSuspended;
  run(registry_->update(a.id, patch));
  auto third = run(registry_->resolve(a.id));
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, tenancy::Status::kSuspended);
  EXPECT_EQ(run(registry_->resolve(util::uuid_v4())), nullptr);
}

TEST_F(TenancyTest, DeleteDropsTheSchemaAndFreesTheDomain) {
  auto a = create("A", "a.example.com");
  EXPECT_TRUE(run(registry_->begin_deletion(a.id)));
  EXPECT_EQ(query("SELECT count(*) FROM pg_namespace WHERE nspname = '" + a.schema_name + "'"), "0");
  EXPECT_FALSE(run(registry_->get(a.id)).has_value());
  // Not purged yet: a second deletion resumes (true) until the purge is recorded.
  EXPECT_TRUE(run(registry_->begin_deletion(a.id)));
  run(registry_->finish_deletion(a.id));
  EXPECT_FALSE(run(registry_->begin_deletion(a.id)));
  EXPECT_FALSE(run(registry_->begin_deletion(util::uuid_v4())));
  EXPECT_EQ(query("SELECT status::text FROM autoblog_core.tenants WHERE id = '" + a.id + "'"),
            "deleted");
  create("B", "a.example.com");  // the domain is free again
}

TEST_F(TenancyTest, MigrateAllTenantsIsIdempotentAndUpgradesEveryTenant) {
  for (int i = 0; i < 5; ++i) create("T" + std::to_string(i));
  auto extended = tenant_migrations();
  extended.push_back(migration(9000, "9000_add_col.sql",
                               "ALTER TABLE content_pipelines ADD COLUMN extra int; "
                               "CREATE INDEX content_extra ON content_pipelines (extra);"));
  auto s1 = run(tenancy::migrate_all_tenants(*pool_, extended, 3, nullptr));
  EXPECT_EQ(s1.tenants, 5u);
  EXPECT_EQ(s1.upgraded, 5u);
  EXPECT_EQ(s1.failed, 0u);
  auto s2 = run(tenancy::migrate_all_tenants(*pool_, extended, 3, nullptr));
  EXPECT_EQ(s2.upgraded, 0u);
  EXPECT_EQ(query("SELECT count(*) FROM information_schema.columns WHERE column_name = 'extra' "
                  "AND table_name = 'content_pipelines'"),
            "5");
  EXPECT_EQ(query("SELECT count(*) FROM autoblog_core.tenants WHERE schema_version = 9000"), "5");
}

TEST_F(TenancyTest, PoolTimesOutWhenExhausted) {
  auto result = run([&]() -> boost::asio::awaitable<std::string> {
    std::vector<db::PooledConnection> held;
    for (int i = 0; i < 4; ++i) held.push_back(co_await pool_->acquire());
    try {
      auto extra = co_await pool_->acquire();
    } catch (const db::PoolTimeout&) {
      co_return "timeout";
    }
    co_return "acquired";
  }());
  EXPECT_EQ(result, "timeout");
  EXPECT_EQ(pool_->stats().in_use, 0);
}

TEST_F(TenancyTest, CoreMigrationsAreIdempotent) {
  auto before = query("SELECT count(*) FROM autoblog_core.schema_migrations");
  EXPECT_EQ(run(db::migrate_core(*pool_, db::load_migrations(db::embedded_core_migrations()))), 0);
  EXPECT_EQ(query("SELECT count(*) FROM autoblog_core.schema_migrations"), before);
}

// Per-token revocation (registry.h): without a synced revoked set every check asks the database,
// so a revocation is honoured even when this node missed its NOTIFY; once synced it is a set
// lookup kept current by note_token_revoked; losing the listener goes back to the database.
TEST_F(TenancyTest, TokenRevocationIsCheckedInTheDatabaseUntilSynced) {
  auto a = create("A");
  auto b = create("B");
  const std::string j1 = "11111111-1111-4111-8111-111111111111";
  const std::string j2 = "22222222-2222-4222-8222-222222222222";
  run(registry_->record_token(j1, a.id, 4102444800));
  run(registry_->record_token(j2, a.id, 4102444800));
  EXPECT_FALSE(run(registry_->is_token_revoked(j1)));
  EXPECT_FALSE(run(registry_->revoke_token(b.id, j1)));  // another tenant's token
  EXPECT_FALSE(run(registry_->revoke_token(a.id, "not-a-uuid")));
  // Revoked behind this registry's back (another node or the CLI): the database says so.
  query("UPDATE autoblog_core.api_tokens SET revoked_at = now() WHERE jti = '" + j1 + "'");
  EXPECT_TRUE(run(registry_->is_token_revoked(j1)));
  EXPECT_TRUE(run(registry_->is_token_revoked(j1.substr(0, 8) + "-1111-4111-8111-111111111111")));
  EXPECT_FALSE(run(registry_->is_token_revoked(j2)));
  EXPECT_FALSE(run(registry_->is_token_revoked("no-jti-of-ours")));
  // Not synced: only the database knows (the request path's synchronous try says so).
  EXPECT_EQ(registry_->token_revoked_if_known(j1), std::nullopt);
  EXPECT_EQ(registry_->token_revoked_if_known("no-jti-of-ours"), false);

  run(registry_->sync_revoked_tokens());
  EXPECT_TRUE(run(registry_->is_token_revoked(j1)));
  EXPECT_EQ(registry_->token_revoked_if_known(j1), true);
  registry_->note_token_revoked("abcdefab-1111-4111-8111-111111111111");
  EXPECT_EQ(registry_->token_revoked_if_known("ABCDEFAB-1111-4111-8111-111111111111"), true);
  EXPECT_EQ(registry_->token_revoked_if_known("abcdefab-1111-4111-8111-111111111111"), true);
  EXPECT_EQ(registry_->token_revoked_if_known("abcdefab-2222-4111-8111-111111111111"), false);
  // Synced: a change the registry was not told about is not seen (that is what NOTIFY is for)...
  query("UPDATE autoblog_core.api_tokens SET revoked_at = now() WHERE jti = '" + j2 + "'");
  EXPECT_FALSE(run(registry_->is_token_revoked(j2)));
  registry_->note_token_revoked(j2);
  EXPECT_TRUE(run(registry_->is_token_revoked(j2)));
  // ...and with the listener gone the database is asked again.
  query("UPDATE autoblog_core.api_tokens SET revoked_at = NULL WHERE jti = '" + j2 + "'");
  auto j3 = std::string("33333333-3333-4333-8333-333333333333");
  run(registry_->record_token(j3, a.id, 4102444800));
  query("UPDATE autoblog_core.api_tokens SET revoked_at = now() WHERE jti = '" + j3 + "'");
  EXPECT_FALSE(run(registry_->is_token_revoked(j3)));
  registry_->mark_revocations_unsynced();
  EXPECT_TRUE(run(registry_->is_token_revoked(j3)));

  // revoke_token is idempotent and lists show it; expired revoked tokens are not loaded.
  EXPECT_TRUE(run(registry_->revoke_token(a.id, j2)));
  EXPECT_TRUE(run(registry_->revoke_token(a.id, j2)));
  auto page = run(registry_->list_tokens(a.id, 2, std::nullopt));
  ASSERT_EQ(page.items.size(), 2u);
  ASSERT_TRUE(page.next_cursor.has_value());
  auto rest = run(registry_->list_tokens(a.id, 2, page.next_cursor));
  ASSERT_EQ(rest.items.size(), 1u);
  EXPECT_FALSE(rest.next_cursor.has_value());
  for (const auto& t : {page.items[0], page.items[1], rest.items[0]})
    EXPECT_TRUE(t.revoked_at.has_value()) << t.jti;
  EXPECT_THROW(run(registry_->list_tokens(a.id, 2, std::string("garbage"))), std::invalid_argument);

  const std::string j4 = "44444444-4444-4444-8444-444444444444";
  run(registry_->record_token(j4, b.id, 1000));  // expired long ago
  EXPECT_TRUE(run(registry_->revoke_token(b.id, j4)));
  registry_->mark_revocations_unsynced();
  run(registry_->sync_revoked_tokens());  // a reconnect: loads only unexpired revocations
  EXPECT_FALSE(run(registry_->is_token_revoked(j4)));  // dropped (its exp refuses it anyway)
  EXPECT_TRUE(run(registry_->is_token_revoked(j1)));
  query("UPDATE autoblog_core.api_tokens SET revoked_at = NULL WHERE jti = '" + j1 + "'");
  EXPECT_TRUE(run(registry_->is_token_revoked(j1)));  // from the set, no query
}
