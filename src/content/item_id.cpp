#include "content/item_id.h"

#include "content/errors.h"
#include "util/random.h"

namespace autoblog::content {

std::string checked_item_id(std::string_view id) {
  if (!util::is_uuid(id)) throw InvalidInput("id must be a UUID");
  return util::normalize_uuid(id);
}

}  // namespace autoblog::content
