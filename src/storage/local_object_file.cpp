#include "storage/local_object_file.h"

#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "storage/object_storage.h"

namespace autoblog::storage::local {

namespace json = boost::json;

[[noreturn]] void ThrowErrno(std::string_view what, int err) {
  switch (err) {
    // The key's fault, not the disk's: InvalidKey (400), never a 500 or 503.
    case ENAMETOOLONG:
      throw InvalidKey("object key has a path segment too long for local storage");
    case ENOTDIR:
    case EISDIR:
    case EEXIST:
    case ENOTEMPTY:
      throw InvalidKey("object key conflicts with an existing object or folder");
    default:
      throw StorageUnavailable("local storage: " + std::string(what) + ": " + std::strerror(err));
  }
}

// Reads exactly n bytes at offset; false on a short file.
bool ReadAt(int fd, char* out, std::size_t n, off_t offset) {
  while (n > 0) {
    const ssize_t got = ::pread(fd, out, n, offset);
    if (got < 0) {
      if (errno == EINTR) continue;
      ThrowErrno("read", errno);
    }
    if (got == 0) return false;
    out += got;
    n -= static_cast<std::size_t>(got);
    offset += got;
  }
  return true;
}

std::string EncodeHeader(std::string_view content_type, std::string_view etag, std::uint64_t size) {
  json::object meta;
  meta["content_type"] = content_type;
  meta["etag"] = etag;
  meta["size"] = size;
  const std::string body = json::serialize(meta);
  char len[16];
  std::snprintf(len, sizeof len, "%08zx\n", body.size());
  return std::string(kMagic) + len + body;
}


std::optional<std::size_t> ReadHeaderLength(int fd, const struct stat& st) {
  char prefix[kPrefixSize];
  if (!ReadAt(fd, prefix, kPrefixSize, 0)) return std::nullopt;
  if (std::string_view(prefix, kMagic.size()) != kMagic || prefix[kPrefixSize - 1] != '\n') {
    return std::nullopt;
  }
  std::size_t len = 0;
  for (std::size_t i = kMagic.size(); i < kPrefixSize - 1; ++i) {
    const char c = prefix[i];
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (digit < 0) return std::nullopt;
    len = len * 16 + static_cast<std::size_t>(digit);
  }
  if (len > kMaxHeaderSize || static_cast<std::uint64_t>(st.st_size) < kPrefixSize + len) {
    return std::nullopt;
  }
  return len;
}

std::optional<Header> ReadHeader(int fd, const struct stat& st) {
  const auto len = ReadHeaderLength(fd, st);
  if (!len) return std::nullopt;
  std::string text(*len, '\0');
  if (!ReadAt(fd, text.data(), text.size(), kPrefixSize)) return std::nullopt;
  json::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.get_object();
  const auto* ct = o.if_contains("content_type");
  const auto* etag = o.if_contains("etag");
  const auto* size = o.if_contains("size");
  if (!ct || !ct->is_string() || !etag || !etag->is_string() || !size) return std::nullopt;
  Header h;
  h.content_type = std::string(ct->get_string());
  h.etag = std::string(etag->get_string());
  if (size->is_uint64()) {
    h.size = size->get_uint64();
  } else if (size->is_int64() && size->get_int64() >= 0) {
    h.size = static_cast<std::uint64_t>(size->get_int64());
  } else {
    return std::nullopt;
  }
  h.body_offset = static_cast<off_t>(kPrefixSize + *len);
  // A size mismatch means a damaged file: never serve a truncated body as if it were whole.
  if (static_cast<std::uint64_t>(st.st_size) != kPrefixSize + *len + h.size) return std::nullopt;
  return h;
}

std::string PaddedHeader(std::string_view content_type, std::string_view etag, std::uint64_t size,
                         std::size_t reserved) {
  std::string h = EncodeHeader(content_type, etag, size);
  if (h.size() > reserved) throw StorageUnavailable("local storage: header overflow");
  const std::size_t json_size = reserved - kPrefixSize;
  char len[16];
  std::snprintf(len, sizeof len, "%08zx\n", json_size);
  h.replace(kMagic.size(), kPrefixSize - kMagic.size(), len);
  h.append(reserved - h.size(), ' ');
  return h;
}

}  // namespace autoblog::storage::local
