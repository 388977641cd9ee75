#pragma once
// The on-disk format of a LocalStorage object (internal to src/storage/): kMagic, 8 hex digits
// (the JSON header's length), '\n', the JSON header {content_type, etag, size}, the body. A
// streamed upload reserves the largest header up front and writes the real one, padded with
// JSON whitespace, once the size and ETag are known. Also the errno mapping shared by the
// file operations. Pure functions over descriptors; thread-safe.
#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::storage::local {

constexpr std::string_view kMagic = "ABOBJ1\n";
constexpr std::size_t kPrefixSize = 16;
constexpr std::size_t kMaxHeaderSize = 64 * 1024;

// ENAMETOOLONG, ENOTDIR, EISDIR, EEXIST, ENOTEMPTY -> InvalidKey (the key's fault, 400);
// anything else -> StorageUnavailable.
[[noreturn]] void ThrowErrno(std::string_view what, int err);
// Reads exactly n bytes at offset; false on a short file.
bool ReadAt(int fd, char* out, std::size_t n, off_t offset);

struct Header {
  std::string content_type;
  std::string etag;
  std::uint64_t size = 0;
  off_t body_offset = 0;
};

std::string EncodeHeader(std::string_view content_type, std::string_view etag, std::uint64_t size);
// The header padded to exactly `reserved` bytes (throws if it does not fit).
std::string PaddedHeader(std::string_view content_type, std::string_view etag, std::uint64_t size,
                         std::size_t reserved);
// Length of the JSON header, or nullopt for a file that is not in our format.
std::optional<std::size_t> ReadHeaderLength(int fd, const struct stat& st);
// The header of a whole, undamaged object file; nullopt otherwise.
std::optional<Header> ReadHeader(int fd, const struct stat& st);

}  // namespace autoblog::storage::local
