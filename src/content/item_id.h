#pragma once
// A content item's id as a request gives it, checked once for every service that takes one.
// Pure function: thread-safe.
#include <string>
#include <string_view>

namespace autoblog::content {

// The id in canonical (lower-case) form; InvalidInput ("id must be a UUID") otherwise.
std::string checked_item_id(std::string_view id);

}  // namespace autoblog::content
