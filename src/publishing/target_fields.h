#pragma once
// Fields of a remote target's entry in publishing_config.targets, read by the same rules when
// the brand is saved (check_wordpress_config, check_ghost_config) and when an adapter runs
// (which refuses an entry that no longer passes them). Each *_problem function returns nullopt
// when the field is fine, otherwise a sentence that starts with the field's name
// ("site must be ..."); the brand's validation puts the target's position in front.
// Pure functions: thread-safe.
#include <boost/json/object.hpp>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::publishing::target_fields {

// `key` must be a non-empty string of at most `max_bytes` bytes without control characters.
std::optional<std::string> required_text_problem(const boost::json::object& config,
                                                 std::string_view key, std::size_t max_bytes);

// `key` must be the address of a site: an endpoint URL (is_endpoint_url: absolute http(s) with a
// host, no user name or password, no fragment) without a query either. Which hosts may be
// reached is the egress policy's decision when a request is made, after DNS.
std::optional<std::string> site_url_problem(const boost::json::object& config,
                                            std::string_view key);

// `key`, when present, must be one of `allowed`.
std::optional<std::string> optional_choice_problem(const boost::json::object& config,
                                                   std::string_view key,
                                                   std::initializer_list<std::string_view> allowed);

}  // namespace autoblog::publishing::target_fields
