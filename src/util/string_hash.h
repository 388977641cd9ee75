#pragma once
// A transparent string hash: an unordered container keyed by std::string declared with it (and
// std::equal_to<>) is looked up by std::string_view without building a string (an allocation
// when the key is longer than the small-string buffer). Stateless; thread-safe.
#include <cstddef>
#include <functional>
#include <string_view>

namespace autoblog::util {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

}  // namespace autoblog::util
