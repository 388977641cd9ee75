#pragma once
// Ranged reads of one S3 object (S3Storage::open): the metadata comes from a HEAD, or from a
// first GET that also brings the first piece (one round trip for a small download); each
// later piece is a ranged GET with If-Match on the opened ETag, and every answer's ETag is
// checked as well (emulators ignore If-Match), so a download never mixes two versions of an
// object: a changed object fails the read with StorageUnavailable. At most one piece (1 MiB) is
// held at a time. Internal to src/storage/.
// Thread-safety: one reader belongs to one coroutine. Ownership: `perform` must stay callable
// for the reader's life (S3Storage outlives every request).
#include <functional>
#include <memory>
#include <optional>

#include "storage/object_storage.h"
#include "storage/s3_protocol.h"

namespace autoblog::storage::s3 {

// Sends one signed request (S3Storage::Impl::Perform).
using Perform = std::function<boost::asio::awaitable<net::HttpResponse>(S3Request)>;

struct ContentRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t total = 0;
};
// "bytes FIRST-LAST/TOTAL" (RFC 9110 §14.4); nullopt for anything else (including "*/N").
std::optional<ContentRange> ParseContentRange(std::string_view value);

// nullptr when there is no such object. `object_path` is the request path of the object.
boost::asio::awaitable<std::unique_ptr<ObjectReader>> OpenObject(
    Perform perform, std::string object_path, std::string tenant_id, std::string key,
    std::optional<std::uint64_t> first_offset);

}  // namespace autoblog::storage::s3
