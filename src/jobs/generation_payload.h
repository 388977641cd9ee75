#pragma once
// The payload of a generate_content job, written by GenerationService and read by the job's
// handler and by cancellation: the item to write, and the status it had before `generating`
// (where a cancelled generation puts it back). Plain value type.
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "tenancy/tenant_tx.h"

namespace autoblog::jobs {

struct GenerationPayload {
  std::string content_id;
  std::string previous_status;

  std::string to_json() const;
  // nullopt when the text is not such a payload.
  static std::optional<GenerationPayload> parse(std::string_view json);
};

// The item leaves `generating` for `status` (failed, or its previous status), if it is still
// generating, in the caller's transaction. A failure's `reason` is recorded in the item's
// `generation` ({"error", "failed_at"}).
boost::asio::awaitable<void> leave_generating(tenancy::TenantTx& tx,
                                              const GenerationPayload& payload,
                                              std::string status,
                                              std::optional<std::string> reason = std::nullopt);

}  // namespace autoblog::jobs
