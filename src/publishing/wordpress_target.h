#pragma once
// The `wordpress` target: a post on a WordPress site through its REST API (wp-json/wp/v2),
// authenticated with an application password (Users → Profile → Application Passwords):
//   {"type": "wordpress", "site": "https://blog.example", "username": "bot",
//    "application_password": "abcd efgh ijkl mnop qrst uvwx", "status": "publish" | "draft"}
// status defaults to "publish". The site may live under a path (https://example.com/blog).
//
// publish (exactly once, as remote_target.h requires):
//   - a recorded remote id: that post is updated (POST /posts/{id}); never a second create;
//   - otherwise the post is looked up by the publication's marker, an HTML comment at the end of
//     its content (publication_marker.h), with GET /posts?search=<token>&status=any&context=edit
//     and a check that the raw content holds the exact comment. Why a comment in the content:
//     it works on a stock WordPress — post meta is only writable through the REST API once a
//     plugin registers it, and the slug is the article's own (WordPress may also change it
//     to slug-2 when another post holds it, which would lose a slug-based lookup);
//   - found: its id is remembered and it is updated; not found: the hero image is uploaded to
//     /media (or, on a retry, the media uploaded by an earlier attempt is found by the token in
//     its file name, so a retry adds no second image), then POST /posts with title, content
//     (Markdown rendered by content/markdown.h, raw HTML disabled), excerpt (the meta
//     description), slug, status and featured_media; the id is remembered at once.
// unpublish: DELETE /posts/{id} (WordPress moves it to the trash) for the recorded id, or the
// post found by marker; 404 or 410 (already trashed) count as gone.
// Errors: remote_http.h (401/403 → TargetRefused naming the user; other 4xx → TargetRefused
// with WordPress's message; 5xx and timeouts transient).
// Stateless: thread-safe.
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "publishing/remote_target.h"

namespace autoblog::publishing {

inline constexpr std::string_view kWordPressType = "wordpress";

class WordPressTarget final : public RemoteTarget {
 public:
  boost::asio::awaitable<TargetOutcome> publish(const Post& post, const RemoteRecord& prior,
                                                RemoteCall& call) override;
  boost::asio::awaitable<TargetOutcome> unpublish(const Post& post, const RemoteRecord& prior,
                                                  RemoteCall& call) override;
};

// Nullopt when `config` is a usable wordpress target entry, else what is wrong with it (a
// sentence starting with the field's name): site (target_fields::site_url_problem), username,
// application_password (non-empty, printable), status ("publish" or "draft", optional).
std::optional<std::string> check_wordpress_config(const boost::json::object& config);

}  // namespace autoblog::publishing
