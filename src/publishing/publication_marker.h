#pragma once
// The idempotency marker as the API adapters store it on a remote post (RemoteCall::marker,
// the same on every attempt of one publication): a token derived from the marker, inside an
// HTML comment that readers never see. The token is the first 128 bits of the marker's SHA-256
// in hex, so it is one search word for WordPress, safe inside a file name and an HTML comment
// whatever the marker's own spelling, and says nothing about the tenant or the item.
// Pure: thread-safe.
#include <string>
#include <string_view>

#include "util/crypto.h"

namespace autoblog::publishing {

// 32 lowercase hex characters.
inline std::string marker_token(std::string_view marker) {
  return util::sha256_hex(marker).substr(0, 32);
}

// "<!-- autoblog-publication <token> -->": appended to the content (WordPress) or the code
// injection (Ghost) of the post; a post is ours when its text contains exactly this comment.
inline std::string marker_comment(std::string_view marker) {
  return "<!-- autoblog-publication " + marker_token(marker) + " -->";
}

}  // namespace autoblog::publishing
