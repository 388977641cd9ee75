#pragma once
// A tenant as the registry knows it, and the limits of its subscription tier (docs/api.md).
// Tenant snapshots are immutable once built and shared as shared_ptr<const Tenant> between
// requests and threads.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::tenancy {

enum class Tier { kStarter, kGrowth, kEnterprise };
enum class Status { kActive, kSuspended, kDeleted };

std::string_view to_string(Tier tier);
std::string_view to_string(Status status);
std::optional<Tier> parse_tier(std::string_view text);
std::optional<Status> parse_status(std::string_view text);

struct TierLimits {
  std::int64_t requests_per_hour = 500;
  std::int64_t max_concurrent_generations = 1;
  std::int64_t max_daily_content = 10;  // -1 = unlimited
  std::string ai_model = "gpt-4o-mini";
  std::string image_quality = "standard";
  std::int64_t daily_token_budget = -1;  // -1 = unlimited
  // Per-tenant override of the storage quota in bytes (-1 = unlimited); unset = the tier's
  // configured default (StorageQuotaDefaults), which is process configuration, not a constant.
  std::optional<std::int64_t> storage_bytes;
};

// Storage quota per tier in bytes (-1 = unlimited): AUTOBLOG_STORAGE_QUOTA_<TIER>_BYTES.
struct StorageQuotaDefaults {
  std::int64_t starter = 1LL << 30;
  std::int64_t growth = 10LL << 30;
  std::int64_t enterprise = 100LL << 30;
};

const TierLimits& tier_defaults(Tier tier);

struct Tenant {
  std::string id;  // canonical lowercase UUID
  std::string name;
  std::optional<std::string> domain;
  std::string schema_name;
  Status status = Status::kActive;
  Tier tier = Tier::kStarter;
  std::string limits_json = "{}";  // per-tenant overrides, as stored
  int schema_version = 0;
  std::string created_at;  // RFC 3339 UTC
  std::string updated_at;

  // The tier's defaults with the overrides applied; computed once when the snapshot is built
  // (compute_limits), since rate limiting reads it on every request.
  TierLimits limits;

  const TierLimits& effective_limits() const { return limits; }
};

// The tenant's storage quota in bytes: its limits.storage_bytes override, else its tier's
// default. -1 = unlimited.
std::int64_t storage_quota(const Tenant& tenant, const StorageQuotaDefaults& defaults);

// The tier's defaults with the overrides of `limits_json` applied (unknown keys ignored).
TierLimits compute_limits(Tier tier, std::string_view limits_json);

}  // namespace autoblog::tenancy
