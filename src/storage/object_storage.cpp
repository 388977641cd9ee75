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

namespace {

// An object already in memory, read by range.
class InMemoryReader final : public ObjectReader {
 public:
  explicit InMemoryReader(Object object) : body_(std::move(object.body)) {
    info_ = std::move(object.info);
  }
  boost::asio::awaitable<std::string> read(std::uint64_t offset, std::size_t max) override {
    if (offset >= body_.size()) co_return std::string();
    co_return body_.substr(static_cast<std::size_t>(offset), max);
  }
  std::size_t chunk_size() const override { return 1u << 20; }

 private:
  std::string body_;
};

}  // namespace

boost::asio::awaitable<std::unique_ptr<ObjectReader>> ObjectStorage::open(
    std::string_view tenant_id, std::string_view key, std::optional<std::uint64_t>) {
  auto object = co_await get(tenant_id, key);
  if (!object) co_return nullptr;
  co_return std::make_unique<InMemoryReader>(std::move(*object));
}

}  // namespace autoblog::storage
