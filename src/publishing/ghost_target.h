#pragma once
// The `ghost` target: a post on a Ghost site through its Admin API, authenticated by an Admin
// API key of a custom integration (Settings → Integrations):
//   {"type": "ghost", "admin_url": "https://ghost.example",
//    "admin_key": "<24 hex id>:<64 hex secret>", "status": "published" | "draft"}
// status defaults to "published". Every request carries a fresh token (ghost_admin_token):
// HS256 with header {alg, typ, kid: <id>} and claims {iat, exp = iat + 5 min, aud: "/admin/"},
// signed with the hex-decoded secret, sent as `Authorization: Ghost <token>`.
//
// publish (exactly once, as remote_target.h requires):
//   - a recorded remote id: GET /posts/{id}/ for its updated_at (Ghost refuses an edit without
//     it: collision detection), then PUT /posts/{id}/?source=html; never a second create;
//   - otherwise GET /posts/slug/{slug}/: a post there that carries the publication's marker
//     comment (publication_marker.h) in its `codeinjection_foot` is ours (an attempt created it
//     and its answer was lost): its id is remembered and it is updated. Why the footer code
//     injection: it is a plain post field every Ghost version returns and stores byte for byte,
//     readers never see an HTML comment there, and it leaves the fields that matter for readers
//     and search engines (tags, canonical_url, the body, which Ghost rewrites from HTML) alone;
//   - a post there without our marker belongs to someone else: TargetRefused (Ghost would give
//     ours the slug "<slug>-2", which a later lookup by slug could not find, so publishing
//     twice would become possible);
//   - nothing there: the hero image goes to POST /images/upload/ (multipart: file, purpose=image,
//     ref) and its URL becomes feature_image, then POST /posts/?source=html with title, html,
//     slug, custom_excerpt (the meta description, at most 300 characters), status and the
//     marker; the id is remembered at once. Ghost keeps no list of uploaded images, so an image
//     uploaded by an attempt that failed before creating the post stays unused on the site.
// unpublish: DELETE /posts/{id}/ for the recorded id (or the post found by slug and marker);
// 404 counts as gone.
// Errors: remote_http.h (401/403 → TargetRefused about the Admin API key; other 4xx →
// TargetRefused with Ghost's errors[0].message; 409 (edited meanwhile), 5xx and timeouts
// transient).
// Stateless: thread-safe.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "publishing/remote_target.h"

namespace autoblog::publishing {

inline constexpr std::string_view kGhostType = "ghost";

class GhostTarget final : public RemoteTarget {
 public:
  boost::asio::awaitable<TargetOutcome> publish(const Post& post, const RemoteRecord& prior,
                                                RemoteCall& call) override;
  boost::asio::awaitable<TargetOutcome> unpublish(const Post& post, const RemoteRecord& prior,
                                                  RemoteCall& call) override;
};

// The Admin API token for `admin_key` ("<id>:<hex secret>") issued at `now_unix`, valid for
// five minutes. Throws TargetRefused when the key is not of that form.
std::string ghost_admin_token(std::string_view admin_key, std::int64_t now_unix);

// Nullopt when `config` is a usable ghost target entry, else what is wrong with it (a sentence
// starting with the field's name): admin_url (target_fields::site_url_problem), admin_key
// (24 hex digits, ':', 64 hex digits), status ("published" or "draft", optional).
std::optional<std::string> check_ghost_config(const boost::json::object& config);

}  // namespace autoblog::publishing
