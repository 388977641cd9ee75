#include "tenancy/registry.h"

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "db/transaction.h"
#include "tenancy/errors.h"
#include "tenancy/schema_name.h"
#include "tenancy/tenant_queries.h"
#include "tenancy/token_queries.h"
#include "util/cursor.h"
#include "util/random.h"
#include "util/time.h"

namespace autoblog::tenancy {

namespace asio = boost::asio;
using db::param;
using db::Params;

namespace {

Tenant tenant_from_row(const db::Result& r, int row) {
  Tenant t;
  t.id = std::string(r.get(row, 0));
  t.name = std::string(r.get(row, 1));
  t.domain = r.get_opt(row, 2);
  t.schema_name = std::string(r.get(row, 3));
  t.status = parse_status(r.get(row, 4)).value_or(Status::kSuspended);
  t.tier = parse_tier(r.get(row, 5)).value_or(Tier::kStarter);
  t.limits_json = std::string(r.get(row, 6));
  t.schema_version = static_cast<int>(r.get_int(row, 7));
  t.created_at = util::rfc3339_from_postgres(r.get(row, 8));
  t.updated_at = util::rfc3339_from_postgres(r.get(row, 9));
  t.limits = compute_limits(t.tier, t.limits_json);
  return t;
}

// Keyset pagination shared by the listings: the cursor is (timestamp, uuid) of the last item.
std::optional<util::Cursor> checked_cursor(const std::optional<std::string>& cursor) {
  if (!cursor) return std::nullopt;
  auto after = util::decode_cursor(*cursor);
  if (!after) throw std::invalid_argument("malformed cursor");
  return after;
}

void append_cursor(Params& p, const std::optional<util::Cursor>& after) {
  if (!after) return;
  p.push_back(param(after->timestamp));
  p.push_back(param(after->id));
}

}  // namespace

std::string provisioning_script(const std::string& schema_name,
                                const std::vector<db::Migration>& migrations, int from_version) {
  if (!is_valid_schema_name(schema_name)) throw std::logic_error("invalid schema name");
  auto quoted = quote_identifier(schema_name);
  std::string sql;
  if (from_version == 0) sql += "CREATE SCHEMA " + quoted + ";\n";
  sql += "SET LOCAL search_path TO " + quoted + ";\n";
  for (const auto& m : migrations) {
    if (m.version <= from_version) continue;
    sql += m.sql;
    sql += "\n;\n";
  }
  return sql;
}

std::string drop_schema_script(const std::string& schema_name) {
  if (!is_valid_schema_name(schema_name)) throw std::logic_error("invalid schema name");
  return "DROP SCHEMA IF EXISTS " + quote_identifier(schema_name) + " CASCADE";
}

TenantRegistry::TenantRegistry(db::Pool& pool, std::vector<db::Migration> tenant_migrations,
                               std::chrono::seconds cache_ttl)
    : pool_(pool), migrations_(std::move(tenant_migrations)), ttl_(cache_ttl) {}

asio::awaitable<Tenant> TenantRegistry::create(const NewTenant& spec) {
  auto id = util::uuid_v4();
  auto schema = schema_name_for(id);
  auto tx = co_await db::CoreTx::begin(pool_);
  Params insert{param(id), param(spec.name), param(spec.domain), param(schema),
                param(std::string(to_string(spec.tier)))};
  co_await tx.exec(queries::kInsert, std::move(insert));
  co_await tx.exec_script(provisioning_script(schema, migrations_, 0));  // the one DDL path
  Params version{param(id), param(db::latest_version(migrations_))};
  auto r = co_await tx.commit_with(queries::kSetSchemaVersion, std::move(version));
  co_return tenant_from_row(r, 0);
}

asio::awaitable<std::optional<Tenant>> TenantRegistry::get(const std::string& id) {
  auto tx = co_await db::CoreTx::begin(pool_);
  Params p{param(id)};
  auto r = co_await tx.commit_with(queries::kGet, std::move(p));
  if (r.empty()) co_return std::nullopt;
  auto t = tenant_from_row(r, 0);
  if (t.status == Status::kDeleted) co_return std::nullopt;
  co_return t;
}

asio::awaitable<TenantPage> TenantRegistry::list(int limit,
                                                 const std::optional<std::string>& cursor,
                                                 bool include_deleted) {
  auto after = checked_cursor(cursor);
  auto tx = co_await db::CoreTx::begin(pool_);
  // One row more than asked tells whether there is a next page.
  Params p{param(limit + 1)};
  append_cursor(p, after);
  const auto& query = include_deleted ? (after ? queries::kListAllAfter : queries::kListAllFirst)
                                       : (after ? queries::kListAfter : queries::kListFirst);
  auto r = co_await tx.commit_with(query, std::move(p));
  TenantPage page;
  int n = std::min(r.rows(), limit);
  for (int i = 0; i < n; ++i) page.items.push_back(tenant_from_row(r, i));
  if (r.rows() > limit && !page.items.empty())
    page.next_cursor = util::encode_cursor({page.items.back().created_at, page.items.back().id});
  co_return page;
}

asio::awaitable<std::optional<Tenant>> TenantRegistry::update(const std::string& id,
                                                              const TenantPatch& patch) {
  auto tx = co_await db::CoreTx::begin(pool_);
  Params p{param(id),
           patch.name ? param(*patch.name) : std::nullopt,
           patch.domain ? param(*patch.domain) : std::nullopt,
           patch.tier ? param(std::string(to_string(*patch.tier))) : std::nullopt,
           patch.status ? param(std::string(to_string(*patch.status))) : std::nullopt,
           patch.limits_patch_json ? param(*patch.limits_patch_json) : std::nullopt,
           param(patch.domain.has_value())};
  auto r = co_await tx.exec(queries::kUpdate, std::move(p));
  if (r.empty()) co_return std::nullopt;
  Params notify{param(id)};
  co_await tx.commit_with(queries::kNotifyChanged, std::move(notify));
  invalidate(id);
  co_return tenant_from_row(r, 0);
}

asio::awaitable<bool> TenantRegistry::begin_deletion(const std::string& id) {
  auto tx = co_await db::CoreTx::begin(pool_);
  Params p{param(id)};
  auto r = co_await tx.exec(queries::kLockForDeletion, std::move(p));
  if (r.empty() || r.get_bool(0, 1)) co_return false;  // unknown, or deleted and purged
  if (r.get(0, 0) == "deleted") co_return true;        // an earlier deletion's purge is pending
  auto schema = std::string(r.get(0, 2));
  Params mark{param(id)};
  co_await tx.exec(queries::kMarkDeleted, std::move(mark));
  co_await tx.exec_script(drop_schema_script(schema));
  Params revoke{param(id)};
  co_await tx.exec(queries::kRevokeTokens, std::move(revoke));
  Params jobs{param(id)};
  co_await tx.exec(queries::kDeleteJobs, std::move(jobs));
  Params notify{param(id)};
  co_await tx.commit_with(queries::kNotifyChanged, std::move(notify));
  invalidate(id);
  co_return true;
}

asio::awaitable<void> TenantRegistry::finish_deletion(const std::string& id) {
  auto tx = co_await db::CoreTx::begin(pool_);
  Params p{param(id)};
  co_await tx.commit_with(queries::kMarkPurged, std::move(p));
}

asio::awaitable<void> TenantRegistry::record_token(const std::string& jti,
                                                   const std::string& tenant_id,
                                                   std::int64_t expires_at_unix) {
  auto tx = co_await db::CoreTx::begin(pool_);
  Params p{param(jti), param(tenant_id), param(expires_at_unix)};
  co_await tx.commit_with(queries::kRecordToken, std::move(p));
}

asio::awaitable<TokenPage> TenantRegistry::list_tokens(const std::string& tenant_id, int limit,
                                                       const std::optional<std::string>& cursor) {
  auto after = checked_cursor(cursor);
  auto tx = co_await db::CoreTx::begin(pool_);
  Params p{param(tenant_id), param(limit + 1)};  // one more row: is there a next page?
  append_cursor(p, after);
  auto r = co_await tx.commit_with(after ? queries::kListTokensAfter : queries::kListTokensFirst,
                                   std::move(p));
  TokenPage page;
  int n = std::min(r.rows(), limit);
  for (int i = 0; i < n; ++i)
    page.items.push_back(TokenInfo{
        std::string(r.get(i, 0)), util::rfc3339_from_postgres(r.get(i, 1)),
        util::rfc3339_from_postgres(r.get(i, 2)),
        r.is_null(i, 3) ? std::nullopt
                        : std::optional<std::string>(util::rfc3339_from_postgres(r.get(i, 3)))});
  if (r.rows() > limit && !page.items.empty())
    page.next_cursor =
        util::encode_cursor({page.items.back().issued_at, page.items.back().jti});
  co_return page;
}

asio::awaitable<bool> TenantRegistry::revoke_token(const std::string& tenant_id,
                                                   const std::string& jti) {
  if (!util::is_uuid(jti)) co_return false;  // the column is a uuid: nothing else is recorded
  auto id = util::normalize_uuid(jti);
  auto tx = co_await db::CoreTx::begin(pool_);
  Params p{param(tenant_id), param(id)};
  auto r = co_await tx.exec(queries::kRevokeToken, std::move(p));
  if (r.empty()) co_return false;
  Params notify{param(std::string(kTokenRevokedPrefix) + id)};
  co_await tx.commit_with(queries::kNotifyChanged, std::move(notify));
  note_token_revoked(id);
  co_return true;
}

std::optional<bool> TenantRegistry::token_revoked_if_known(std::string_view jti) {
  if (!util::is_uuid(jti)) return false;
  // The tokens this server issues carry a lower-case jti: looked up as it is, with no copy.
  bool canonical =
      std::none_of(jti.begin(), jti.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  std::shared_lock lock(revoked_mutex_);
  if (canonical ? revoked_.contains(jti) : revoked_.contains(util::normalize_uuid(jti)))
    return true;
  if (revoked_synced_) return false;
  return std::nullopt;
}

asio::awaitable<bool> TenantRegistry::is_token_revoked(const std::string& jti) {
  if (auto known = token_revoked_if_known(jti)) co_return *known;
  auto id = util::normalize_uuid(jti);
  auto tx = co_await db::CoreTx::begin(pool_);
  Params p{param(id)};
  auto r = co_await tx.commit_with(queries::kIsRevoked, std::move(p));
  co_return !r.empty();
}

asio::awaitable<void> TenantRegistry::sync_revoked_tokens() {
  std::uint64_t epoch;
  {
    std::shared_lock lock(revoked_mutex_);
    epoch = revoked_epoch_;
  }
  auto tx = co_await db::CoreTx::begin(pool_);
  auto r = co_await tx.commit_with(queries::kRevokedUnexpired);
  JtiSet loaded;
  for (int i = 0; i < r.rows(); ++i) loaded.insert(std::string(r.get(i, 0)));
  std::unique_lock lock(revoked_mutex_);
  if (epoch != revoked_epoch_) co_return;  // the listener dropped meanwhile: stay unsynced
  // Replacing (not merging) drops expired jtis. A revocation committed after the load's snapshot
  // is not lost: its NOTIFY reaches the listener, which reads notifications after this returns.
  revoked_ = std::move(loaded);
  revoked_synced_ = true;
}

void TenantRegistry::note_token_revoked(const std::string& jti) {
  if (!util::is_uuid(jti)) return;
  std::unique_lock lock(revoked_mutex_);
  revoked_.insert(util::normalize_uuid(jti));
}

void TenantRegistry::mark_revocations_unsynced() {
  std::unique_lock lock(revoked_mutex_);
  revoked_synced_ = false;
  ++revoked_epoch_;
}

TenantRegistry::Snapshot TenantRegistry::snapshot_of(Tenant tenant) {
  Snapshot s;
  if (tenant.status == Status::kActive) {
    if (!is_valid_schema_name(tenant.schema_name))
      throw std::logic_error("registry holds an invalid schema name");
    s.active = std::shared_ptr<const ActiveTenant>(new ActiveTenant(std::move(tenant)));
    s.tenant = std::shared_ptr<const Tenant>(s.active, &s.active->tenant());
  } else {
    s.tenant = std::make_shared<const Tenant>(std::move(tenant));
  }
  return s;
}

asio::awaitable<std::shared_ptr<const Tenant>> TenantRegistry::resolve(const std::string& id) {
  auto s = co_await lookup(id);
  co_return s.tenant;
}

std::shared_ptr<const ActiveTenant> TenantRegistry::active_or_throw(const Snapshot& s) {
  if (!s.tenant) throw TenantInactive("tenant not found");
  if (!s.active) throw TenantInactive("tenant is " + std::string(to_string(s.tenant->status)));
  return s.active;
}

asio::awaitable<std::shared_ptr<const ActiveTenant>> TenantRegistry::resolve_active(
    const std::string& id) {
  auto s = co_await lookup(id);
  co_return active_or_throw(s);
}

std::shared_ptr<const ActiveTenant> TenantRegistry::active_if_cached(const std::string& id) {
  auto s = fresh_snapshot(id, std::chrono::steady_clock::now());
  return s ? active_or_throw(*s) : nullptr;
}

std::optional<TenantRegistry::Snapshot> TenantRegistry::fresh_snapshot(
    const std::string& id, std::chrono::steady_clock::time_point now) {
  std::shared_lock lock(mutex_);
  auto it = cache_.find(id);
  if (it == cache_.end() || it->second.expires <= now) return std::nullopt;
  return it->second.snapshot;
}

asio::awaitable<TenantRegistry::Snapshot> TenantRegistry::lookup(const std::string& id) {
  auto now = std::chrono::steady_clock::now();
  std::uint64_t generation;
  auto fresh = fresh_snapshot(id, now);
  if (fresh) co_return std::move(*fresh);
  {
    // Expired (TTL is only the backstop behind NOTIFY invalidation): the first request refreshes
    // it, concurrent ones keep the previous snapshot instead of all querying at once.
    std::unique_lock lock(mutex_);
    auto it = cache_.find(id);
    if (it != cache_.end()) {
      if (it->second.expires > now) co_return it->second.snapshot;
      if (it->second.refreshing) co_return it->second.snapshot;
      it->second.refreshing = true;
    }
    generation = generation_;
  }
  Snapshot found;
  std::exception_ptr failure;
  try {
    auto tx = co_await db::CoreTx::begin(pool_);
    Params p{param(id)};
    auto r = co_await tx.commit_with(queries::kGet, std::move(p));
    if (!r.empty()) found = snapshot_of(tenant_from_row(r, 0));
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    std::unique_lock lock(mutex_);
    if (auto it = cache_.find(id); it != cache_.end()) it->second.refreshing = false;
    std::rethrow_exception(failure);
  }
  std::unique_lock lock(mutex_);
  // An invalidation that raced with this read wins: do not cache what may be stale.
  if (generation == generation_) cache_[id] = CacheEntry{found, now + ttl_};
  co_return found;
}

void TenantRegistry::invalidate(const std::string& id) {
  std::unique_lock lock(mutex_);
  cache_.erase(id);
  ++generation_;
}

std::uint64_t TenantRegistry::generation() {
  std::shared_lock lock(mutex_);
  return generation_;
}

void TenantRegistry::invalidate_all() {
  std::unique_lock lock(mutex_);
  cache_.clear();
  ++generation_;
}

}  // namespace autoblog::tenancy
