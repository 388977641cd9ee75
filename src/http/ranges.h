#pragma once
// Conditional and range requests on a stored representation with a strong ETag (RFC 9110 §13
// and §14): If-None-Match (→ 304), If-Range, and single byte ranges (→ 206, or 416 when none of
// the object can be served). A request for several ranges is answered with the whole object
// (200), which RFC 9110 §14.2 allows a server to do; so is a Range header in another unit or
// with malformed syntax (ignored, as §14.2 says a server may).
// Pure functions; thread-safe.
#include <cstdint>
#include <optional>
#include <string_view>

namespace autoblog::http {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  std::uint64_t length() const { return last - first + 1; }
};

enum class RangeOutcome {
  kWhole,          // no usable range: 200 with the whole object
  kPartial,        // 206 with `range`
  kUnsatisfiable,  // 416 with Content-Range: bytes */size
};

struct RangeDecision {
  RangeOutcome outcome = RangeOutcome::kWhole;
  ByteRange range;
};

// The Range header value against an object of `size` bytes.
RangeDecision decide_range(std::string_view range_header, std::uint64_t size);

// Where a single range would start, before the object's size is known ("bytes=a-b", "bytes=a-"):
// lets storage fetch the first piece with the metadata. nullopt for a suffix range, several
// ranges or anything malformed.
std::optional<std::uint64_t> range_start(std::string_view range_header);

// If-None-Match: true when `etag` (quoted, strong) matches the header's list by weak comparison,
// or the header is "*": the answer is 304 (for GET and HEAD).
bool none_match(std::string_view if_none_match, std::string_view etag);

// If-Range: true when the Range header may be honoured, i.e. the header is an entity tag that
// equals `etag` by strong comparison. A date (we keep no Last-Modified precision to compare
// with) or a weak tag never matches, so the whole object is sent, as RFC 9110 §13.1.5 requires.
bool if_range_matches(std::string_view if_range, std::string_view etag);

}  // namespace autoblog::http
