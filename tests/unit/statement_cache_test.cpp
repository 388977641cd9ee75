// db::StatementCache: which tenant statements a connection keeps prepared.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "db/statement_cache.h"

namespace autoblog::db {
namespace {

constexpr const char* kGet = "SELECT … FROM {schema}.content_pipelines WHERE id = $1";
constexpr const char* kList = "SELECT … FROM {schema}.content_pipelines LIMIT $1";

std::string schema(int i) { return "\"tenant_" + std::to_string(i) + "\""; }

TEST(StatementCache, HitsAfterAdmissionPerTemplateAndSchema) {
  StatementCache cache(8);
  auto a = schema(1), b = schema(2);
  EXPECT_EQ(cache.find({kGet, a}), nullptr);
  auto admitted = cache.admit({kGet, a}, 1);
  ASSERT_TRUE(admitted);
  EXPECT_FALSE(admitted->evicted);
  std::string name = *admitted->name;
  ASSERT_NE(cache.find({kGet, a}), nullptr);
  EXPECT_EQ(*cache.find({kGet, a}), name);
  // Another schema or another template is another statement.
  EXPECT_EQ(cache.find({kGet, b}), nullptr);
  EXPECT_EQ(cache.find({kList, a}), nullptr);
  // The key's schema is copied: a lookup with an equal string from elsewhere hits.
  std::string a_again = schema(1);
  EXPECT_NE(cache.find({kGet, a_again}), nullptr);
}

TEST(StatementCache, NamesAreUniquePerAdmission) {
  StatementCache cache(4);
  std::vector<std::string> names;
  for (int i = 0; i < 4; ++i) names.push_back(*cache.admit({kGet, schema(i)}, i + 1)->name);
  for (int i = 0; i < 4; ++i)
    for (int j = i + 1; j < 4; ++j) EXPECT_NE(names[i], names[j]);
}

TEST(StatementCache, EvictsTheLeastRecentlyUsedWhileLookupsHit) {
  StatementCache cache(2);
  auto s1 = schema(1), s2 = schema(2), s3 = schema(3);
  std::string n1 = *cache.admit({kGet, s1}, 1)->name;
  cache.admit({kGet, s2}, 2);
  for (int i = 0; i < 10; ++i) ASSERT_NE(cache.find({kGet, s2}), nullptr);
  ASSERT_NE(cache.find({kGet, s1}), nullptr);  // s1 most recent now, s2 least
  ASSERT_EQ(cache.find({kGet, s3}), nullptr);
  auto admitted = cache.admit({kGet, s3}, 3);
  ASSERT_TRUE(admitted);
  ASSERT_TRUE(admitted->evicted);
  EXPECT_NE(*admitted->evicted, n1);
  EXPECT_EQ(cache.find({kGet, s2}), nullptr);
  EXPECT_NE(cache.find({kGet, s1}), nullptr);
  EXPECT_EQ(cache.size(), 2u);
}

// Round-robin over more keys than fit: plain LRU would miss every time and churn; the cache
// keeps most of its entries and admits only one miss in kColdAdmitEvery.
TEST(StatementCache, AWorkingSetLargerThanTheCacheDoesNotChurnIt) {
  constexpr int kCapacity = 64, kKeys = 256, kRounds = 20;
  StatementCache cache(kCapacity);
  std::vector<std::string> schemas;
  for (int i = 0; i < kKeys; ++i) schemas.push_back(schema(i));
  std::uint64_t n = 0;
  int misses_last_round = 0;
  for (int round = 0; round < kRounds; ++round) {
    misses_last_round = 0;
    for (const auto& s : schemas) {
      if (cache.find({kGet, s})) continue;
      ++misses_last_round;
      cache.admit({kGet, s}, ++n);
    }
  }
  // Plain LRU: kKeys misses per round and as many evictions. Here the cache keeps serving.
  EXPECT_LE(misses_last_round, kKeys - kCapacity + kCapacity / 4);
  EXPECT_LE(cache.stats().evicted, std::uint64_t(kRounds * kKeys / StatementCache::kColdAdmitEvery + kKeys));
  EXPECT_EQ(cache.size(), std::size_t(kCapacity));
}

TEST(StatementCache, ZeroCapacityPreparesNothing) {
  StatementCache cache(0);
  auto s = schema(1);
  EXPECT_FALSE(cache.admit({kGet, s}, 1));
  EXPECT_EQ(cache.find({kGet, s}), nullptr);
}

TEST(StatementCache, ForgetRemovesAnEntryWhoseParseFailed) {
  StatementCache cache(2);
  auto s = schema(1);
  cache.admit({kGet, s}, 1);
  cache.forget({kGet, s});
  EXPECT_EQ(cache.find({kGet, s}), nullptr);
  EXPECT_EQ(cache.size(), 0u);
  cache.forget({kGet, s});  // absent: nothing happens
  EXPECT_TRUE(cache.admit({kGet, s}, 2));
}

TEST(StatementCache, HoldsASchemaWhileAnyOfItsStatementsIsPrepared) {
  StatementCache cache(2);
  auto a = schema(1), b = schema(2), c = schema(3);
  EXPECT_FALSE(cache.holds(a));
  cache.admit({kGet, a}, 1);
  cache.admit({kList, a}, 2);
  EXPECT_TRUE(cache.holds(a));
  EXPECT_FALSE(cache.holds(b));
  cache.forget({kGet, a});
  EXPECT_TRUE(cache.holds(a)) << "kList of a is still prepared";
  ASSERT_NE(cache.find({kList, a}), nullptr);  // lookups hit: admission evicts the LRU
  cache.admit({kGet, b}, 3);
  cache.admit({kGet, c}, 4);  // evicts kList of a, the least recently used
  EXPECT_FALSE(cache.holds(a));
  EXPECT_TRUE(cache.holds(b));
  EXPECT_TRUE(cache.holds(c));
}

}  // namespace
}  // namespace autoblog::db
