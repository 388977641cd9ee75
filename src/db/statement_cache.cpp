#include "db/statement_cache.h"

namespace autoblog::db {

void StatementCache::record(bool hit) {
  if (recent_lookups_ >= kWindow) {
    recent_lookups_ /= 2;
    recent_hits_ /= 2;
  }
  ++recent_lookups_;
  if (hit) ++recent_hits_;
  if (hit) ++stats_.hits;
  else ++stats_.misses;
}

void StatementCache::count_schema(std::string_view schema, int delta) {
  auto it = per_schema_.find(schema);
  if (delta > 0) {
    if (it == per_schema_.end()) per_schema_.emplace(std::string(schema), 1u);
    else ++it->second;
  } else if (it != per_schema_.end() && --it->second == 0) {
    per_schema_.erase(it);
  }
}

const std::string* StatementCache::find(Key key) {
  auto it = map_.find(key);
  record(it != map_.end());
  if (it == map_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &it->second->name;
}

std::optional<StatementCache::Admission> StatementCache::admit(Key key,
                                                               std::uint64_t statement_number) {
  if (capacity_ == 0) return std::nullopt;
  std::optional<std::string> evicted;
  if (map_.size() >= capacity_) {
    if (!mostly_hits() && ++cold_misses_ % kColdAdmitEvery != 0) return std::nullopt;
    auto& victim = lru_.back();
    map_.erase(Key{victim.sql_template, victim.schema});
    count_schema(victim.schema, -1);
    evicted = std::move(victim.name);
    lru_.pop_back();
    ++stats_.evicted;
  }
  lru_.push_front(Entry{key.sql_template, std::string(key.schema),
                        "abt" + std::to_string(statement_number)});
  auto& entry = lru_.front();
  map_.emplace(Key{entry.sql_template, entry.schema}, lru_.begin());
  count_schema(entry.schema, +1);
  ++stats_.prepared;
  return Admission{&entry.name, std::move(evicted)};
}

void StatementCache::forget(Key key) {
  auto it = map_.find(key);
  if (it == map_.end()) return;
  auto node = it->second;
  map_.erase(it);  // before the node its key points into
  count_schema(node->schema, -1);
  lru_.erase(node);
}

}  // namespace autoblog::db
