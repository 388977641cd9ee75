#include "content/paging.h"

#include "content/errors.h"

namespace autoblog::content {

void check_limit(int limit) {
  if (limit < 1 || limit > 100) throw InvalidInput("limit must be an integer between 1 and 100");
}

void add_cursor_params(const std::optional<std::string>& raw, db::Params& p) {
  if (!raw) {
    p.push_back(std::nullopt);
    p.push_back(std::nullopt);
    return;
  }
  auto c = util::decode_cursor(*raw);
  if (!c) throw InvalidInput("cursor is malformed");
  p.push_back(db::param(c->timestamp));
  p.push_back(db::param(c->id));
}

}  // namespace autoblog::content
