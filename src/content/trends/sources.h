#pragma once
// A brand's `sources`: where trend discovery reads and how often.
//   {"feeds": ["https://news.example/feed.xml"], "every_hours": 24, "auto_generate": 0}
// feeds: at most kMaxFeeds absolute http(s) URLs (is_feed_url); every_hours: 1..720;
// auto_generate: 0..50 (how many of the best new inspirations the scheduler may generate).
// All keys are optional; unknown keys are kept by the brand and ignored here.
// Pure functions: thread-safe.
#include <boost/json/fwd.hpp>
#include <cstddef>
#include <string>
#include <vector>

namespace autoblog::content::trends {

inline constexpr std::size_t kMaxFeeds = 50;
inline constexpr int kMaxEveryHours = 720;
inline constexpr int kMaxAutoGenerate = 50;

struct Sources {
  std::vector<std::string> feeds;
  int every_hours = 24;
  int auto_generate = 0;
};

// JSON null or a missing brand column reads as no feeds. Throws content::InvalidInput naming the
// key (and the index of a bad feed) for anything else out of shape.
Sources parse_sources(const boost::json::value& sources);

}  // namespace autoblog::content::trends
