#pragma once
// Owning wrapper of a libpq result in text format. Move-only; not thread-safe (a result belongs
// to the coroutine that ran the query). Accessors return views into the result's memory.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct pg_result;

namespace autoblog::db {

class Result {
 public:
  Result() = default;
  explicit Result(pg_result* res);

  int rows() const;
  int columns() const;
  bool is_null(int row, int col) const;
  std::string_view get(int row, int col) const;  // "" for NULL
  std::optional<std::string> get_opt(int row, int col) const;
  std::int64_t get_int(int row, int col) const;
  bool get_bool(int row, int col) const;
  // Rows touched by INSERT/UPDATE/DELETE.
  std::int64_t affected() const;
  bool empty() const { return rows() == 0; }

 private:
  struct Deleter {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Deleter> res_;
};

}  // namespace autoblog::db
