#pragma once
// One delivery: a publication (or its removal) at one remote target of an item, run by the
// `deliver_publication` job outside any row lock (remote_target.h says how each adapter keeps it
// exactly once). The publisher creates deliveries while it holds the item; the job enqueued for
// each carries it as its payload.
//
// The item's entry for the target (publications["<type>:<index>"]) tells where a delivery is:
//   pending        a publish delivery is queued or running (marker = its idempotency marker)
//   published      delivered: remote_id, url, published_at
//   unpublishing   a removal is queued or running
//   unpublished    removed (or nothing was ever delivered)
//   failed         given up: error, failed_at
//   disabled       the target refused for good (a webhook's 410) — skipped until re-enabled
// attempts and last_error count the transient failures of the current delivery; uncertain: one
// of them got no answer after sending (the target may have acted on it). Other keys: action
// (publish | unpublish), endpoint (the address the entry's remote id belongs to).
// Pure values and functions: thread-safe.
#include <boost/json/fwd.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "publishing/remote_target.h"

namespace autoblog::publishing {

inline constexpr std::string_view kPending = "pending";
inline constexpr std::string_view kUnpublishing = "unpublishing";

struct Delivery {
  std::string content_id;
  std::string key;        // the target's key in publications
  std::string type;       // webhook, wordpress, ghost
  std::size_t index = 0;  // in publishing_config.targets
  std::string marker;     // the same for every attempt of this delivery
  bool publish = true;    // false: remove the post

  std::string payload_json() const;
  // nullopt for a payload this code did not write.
  static std::optional<Delivery> parse(std::string_view payload_json);
  // The job's idempotency key: one unfinished job per delivery.
  std::string job_key() const;
};

// The adapter for a remote target type, or nullptr for "hosted" and unknown types.
std::unique_ptr<RemoteTarget> make_remote_target(std::string_view type);

}  // namespace autoblog::publishing
