#pragma once
// Secrets in a brand's publishing_config are write-only: a webhook's signing secrets, a
// WordPress application password, a Ghost Admin API key. Responses carry "***" in their place
// (and so does the brand cache, which only feeds responses); a PUT that sends "***" back keeps
// the stored value, so a GET → edit → PUT round trip never wipes a secret it could not see.
// Workers read the stored configuration directly, never through these responses.
// Pure functions over values: thread-safe.
#include <boost/json/fwd.hpp>
#include <string_view>

namespace autoblog::content {

inline constexpr std::string_view kRedacted = "***";

// The field naming where a publishing target of `type` sends posts: "url" (webhook), "site"
// (wordpress), "admin_url" (ghost); empty for other types.
std::string_view endpoint_field(std::string_view type);

// Whether `field` of a publishing target of `type` holds a secret.
bool is_secret_field(std::string_view type, std::string_view field);

// Replaces every secret string of publishing_config.targets[*] by "***". Other shapes are left
// as they are.
void redact_secrets(boost::json::value& publishing_config);

// For every secret of `incoming` that is "***": the stored value of the same field of the target
// at the same index, when that target has the same type and the same endpoint (url, site or
// admin_url). Throws InvalidInput naming the field otherwise (a redacted secret cannot be moved
// to another endpoint, and there is nothing to keep for a new target).
void restore_secrets(boost::json::value& incoming, const boost::json::value& stored);

}  // namespace autoblog::content
