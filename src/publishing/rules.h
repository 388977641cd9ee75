#pragma once
// The rules of publishing, apart from the transactions that apply them (jobs/publication_*):
// from which statuses an item may be published or unpublished, what counts as a publishable
// article, which targets a brand's publishing_config names, and how outcomes are recorded.
// Pure functions over values: thread-safe.
#include <boost/json/fwd.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "publishing/target.h"

namespace autoblog::publishing {

// Why an item in `status` cannot be published now, or nullopt: only an approved item is.
std::optional<std::string> publish_refusal(std::string_view status);
// Why an item cannot be published again yet, or nullopt: while a remote target's delivery or
// removal is still on its way (an entry `pending` or `unpublishing` in `publications`), a new
// publication could race it and leave two posts there, or none.
std::optional<std::string> delivery_in_progress(const boost::json::value& publications);

// Why an item in `status` cannot be unpublished, or nullopt: published and scheduled items can.
std::optional<std::string> unpublish_refusal(std::string_view status);

inline constexpr std::size_t kMaxSlugLength = 190;

// The article of an item, or nullopt and `why` when generated_content lacks a title, a slug or
// body_markdown (strings), or its slug is not one (lower-case letters, digits and single hyphens,
// at most kMaxSlugLength). `visual_assets` may be null.
std::optional<Post> post_from(std::string content_id, const boost::json::value& generated_content,
                              const boost::json::value& visual_assets, std::string* why);

// One entry of publishing_config.targets as the publisher will run it.
struct TargetSpec {
  std::string key;   // "hosted", or "<type>:<index>" for the others
  std::string type;  // "hosted", "webhook", ...
  std::size_t index = 0;  // in publishing_config.targets (0 for the implicit hosted blog)
};

// publishing_config.targets[index] when it is an object, else nullptr.
const boost::json::object* target_config(const boost::json::value& publishing_config,
                                         std::size_t index);
// The targets of a brand's publishing_config (null, no `targets` or an empty list: the hosted
// blog alone). Entries without a string `type` are kept as type "" so they are reported, not
// silently dropped.
std::vector<TargetSpec> target_specs(const boost::json::value& publishing_config);

// An outcome as stored under its key in `publications`: {status: published|unpublished|failed,
// remote_id, url, at, error} (nulls omitted); `at_rfc3339` is when it happened.
boost::json::object outcome_json(const TargetOutcome& outcome, bool unpublishing,
                                 std::string_view at_rfc3339);

}  // namespace autoblog::publishing
