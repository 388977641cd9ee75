#pragma once
// Which tenant query templates a connection has prepared, per schema: an LRU of server-side
// prepared statements keyed by (template, schema), as pgx and the PostgreSQL JDBC driver keep
// one per connection. Tenant SQL is schema-qualified (see db/schema_identifier.h), so one
// template gives one statement per tenant; PostgreSQL never has to re-plan a statement because
// the search_path changed, which is what unqualified names cost on every tenant switch.
//
// Admission: while the cache has room, every miss is prepared. Once it is full, a miss evicts the
// least recently used entry only while lookups mostly hit; when the working set is larger than
// the cache (round-robin over more tenants than it holds), plain LRU would evict every entry
// before its next use and pay a Parse and a DEALLOCATE per query for nothing, so then only one
// miss in kColdAdmitEvery is admitted and the rest run as unnamed statements (parse, bind,
// execute in the same round trip). The cache keeps the hits it has and still adapts slowly.
//
// Not thread-safe: owned by one Connection, used by one coroutine at a time.
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "util/string_hash.h"

namespace autoblog::db {

class StatementCache {
 public:
  // `capacity` 0: nothing is ever prepared (every tenant query runs unnamed).
  explicit StatementCache(std::size_t capacity) : capacity_(capacity) {}

  // A template is identified by its address: templates are named constants with static storage.
  struct Key {
    const char* sql_template;
    std::string_view schema;
    bool operator==(const Key&) const = default;
  };

  // The prepared statement's name on a hit (the entry becomes the most recently used).
  const std::string* find(Key key);

  struct Admission {
    const std::string* name;                // prepare under this name
    std::optional<std::string> evicted;     // DEALLOCATE this one
  };
  // After a miss: whether to prepare `key` now, and under which name. nullopt: run it unnamed.
  std::optional<Admission> admit(Key key, std::uint64_t statement_number);
  // The Parse of an admitted entry failed: it does not exist on the server.
  void forget(Key key);

  // Whether any template is prepared for `schema` (the pool prefers such a connection for that
  // tenant: see db/pool.h).
  bool holds(std::string_view schema) const { return per_schema_.contains(schema); }

  std::size_t size() const { return map_.size(); }
  std::size_t capacity() const { return capacity_; }

  struct Stats {
    std::uint64_t hits = 0, misses = 0, prepared = 0, evicted = 0;
  };
  const Stats& stats() const { return stats_; }

  static constexpr unsigned kColdAdmitEvery = 16;

 private:
  struct Entry {
    const char* sql_template;
    std::string schema;
    std::string name;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      return std::hash<std::string_view>{}(k.schema) ^
             (std::hash<const void*>{}(k.sql_template) * 0x9e3779b97f4a7c15ULL);
    }
  };
  using SchemaHash = util::StringHash;
  bool mostly_hits() const { return recent_hits_ * 2 >= recent_lookups_; }
  void record(bool hit);
  void count_schema(std::string_view schema, int delta);

  std::size_t capacity_;
  std::list<Entry> lru_;  // front: most recently used
  // Keys point into the list nodes, whose addresses never change.
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> map_;
  // Entries per schema (only schemas with at least one).
  std::unordered_map<std::string, unsigned, SchemaHash, std::equal_to<>> per_schema_;
  // Hit ratio over roughly the last kWindow lookups (halved when the window fills).
  static constexpr std::uint32_t kWindow = 256;
  std::uint32_t recent_hits_ = 0, recent_lookups_ = 0;
  unsigned cold_misses_ = 0;
  Stats stats_;
};

}  // namespace autoblog::db
