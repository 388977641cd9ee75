// Storage quota by tier: the configured tier default unless the tenant overrides it in
// limits.storage_bytes (-1 = unlimited).
#include <gtest/gtest.h>

#include "tenancy/tenant.h"

using namespace autoblog::tenancy;

namespace {

Tenant tenant(Tier tier, const std::string& limits_json) {
  Tenant t;
  t.tier = tier;
  t.limits_json = limits_json;
  t.limits = compute_limits(tier, limits_json);
  return t;
}

}  // namespace

TEST(StorageQuota, TierDefaultsComeFromConfiguration) {
  StorageQuotaDefaults d;
  EXPECT_EQ(storage_quota(tenant(Tier::kStarter, "{}"), d), 1LL << 30);
  EXPECT_EQ(storage_quota(tenant(Tier::kGrowth, "{}"), d), 10LL << 30);
  EXPECT_EQ(storage_quota(tenant(Tier::kEnterprise, "{}"), d), 100LL << 30);
  d.growth = 5000;
  d.enterprise = -1;
  EXPECT_EQ(storage_quota(tenant(Tier::kGrowth, "{}"), d), 5000);
  EXPECT_EQ(storage_quota(tenant(Tier::kEnterprise, "{}"), d), -1);
}

TEST(StorageQuota, TenantOverrideWins) {
  StorageQuotaDefaults d;
  EXPECT_EQ(storage_quota(tenant(Tier::kStarter, R"({"storage_bytes":1000})"), d), 1000);
  EXPECT_EQ(storage_quota(tenant(Tier::kEnterprise, R"({"storage_bytes":-1})"), d), -1);
  EXPECT_EQ(storage_quota(tenant(Tier::kGrowth, R"({"storage_bytes":0})"), d), 0);
  // Not a number (never stored: the service validates) or absent: the tier default.
  EXPECT_EQ(storage_quota(tenant(Tier::kStarter, R"({"storage_bytes":"1"})"), d), 1LL << 30);
  EXPECT_EQ(storage_quota(tenant(Tier::kStarter, "not json"), d), 1LL << 30);
  EXPECT_FALSE(compute_limits(Tier::kStarter, "{}").storage_bytes.has_value());
}
