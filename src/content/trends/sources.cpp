#include "content/trends/sources.h"

#include <boost/json/value.hpp>

#include "content/errors.h"
#include "content/trends/canonical_url.h"

namespace autoblog::content::trends {

namespace json = boost::json;

namespace {

int bounded_int(const json::object& o, const char* key, int min, int max, int fallback) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return fallback;
  const std::string range = std::to_string(min) + " to " + std::to_string(max);
  if (v->is_int64() && v->as_int64() >= min && v->as_int64() <= max)
    return static_cast<int>(v->as_int64());
  throw InvalidInput(std::string("sources.") + key + " must be an integer from " + range);
}

}  // namespace

Sources parse_sources(const json::value& sources) {
  Sources out;
  if (sources.is_null()) return out;
  const json::object* o = sources.if_object();
  if (o == nullptr) throw InvalidInput("sources must be an object");
  if (const json::value* feeds = o->if_contains("feeds"); feeds && !feeds->is_null()) {
    const json::array* list = feeds->if_array();
    if (list == nullptr || list->size() > kMaxFeeds)
      throw InvalidInput("sources.feeds must be an array of at most " + std::to_string(kMaxFeeds) +
                         " feed URLs");
    for (std::size_t i = 0; i < list->size(); ++i) {
      const json::string* url = (*list)[i].if_string();
      if (url == nullptr || !is_feed_url(*url))
        throw InvalidInput("sources.feeds[" + std::to_string(i) +
                           "] must be an absolute http:// or https:// URL of at most 2048 bytes");
      out.feeds.emplace_back(*url);
    }
  }
  out.every_hours = bounded_int(*o, "every_hours", 1, kMaxEveryHours, out.every_hours);
  out.auto_generate = bounded_int(*o, "auto_generate", 0, kMaxAutoGenerate, out.auto_generate);
  return out;
}

}  // namespace autoblog::content::trends
