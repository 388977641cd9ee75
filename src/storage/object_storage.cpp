// The backend-independent pieces of ObjectStorage: the string-backed BodySource and put().
#include "storage/object_storage.h"

#include <algorithm>
#include <cstring>

namespace autoblog::storage {

boost::asio::awaitable<std::size_t> StringBodySource::read(std::span<char> out) {
  const std::size_t n = std::min(out.size(), body_.size() - offset_);
  std::memcpy(out.data(), body_.data() + offset_, n);
  offset_ += n;
  co_return n;
}

boost::asio::awaitable<ObjectInfo> ObjectStorage::put(std::string_view tenant_id,
                                                      std::string_view key, std::string body,
                                                      std::string_view content_type) {
  const std::uint64_t size = body.size();
  StringBodySource source(std::move(body));
  co_return co_await put_stream(tenant_id, key, source, content_type, size);
}

}  // namespace autoblog::storage
