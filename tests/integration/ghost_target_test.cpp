// The Ghost adapter against a fake Ghost Admin API inside the test (TestServer): every request's
// token verified with the Admin API key (kid, aud, lifetime, signature), the image upload before
// the post and feature_image, a 5xx then a retry, a timeout after the post was created (the
// retry finds it by slug and marker: one post), a slug held by someone else's post, 401,
// updates with Ghost's updated_at check, unpublish, and the settings check.
#include "publishing/ghost_target.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "net/errors.h"
#include "publishing/publication_marker.h"
#include "remote_target_fixture.h"
#include "test_http_server.h"
#include "util/base64.h"
#include "util/crypto.h"

namespace autoblog::publishing {
namespace {

namespace json = boost::json;
using test_support::RemoteTargetTestOf;
using test_support::TestServer;
using namespace std::chrono_literals;

const std::string kKeyId = "6748592f4b9b7700010f6564";
const std::string kSecretHex = "b1b5b9c1d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1";

std::int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Why a Ghost Admin API token is not acceptable for the key above ("" when it is), checked the
// way Ghost does: HS256, kid = the key's id, aud /admin/, at most five minutes, not expired, and
// the signature under the hex-decoded secret.
std::string TokenProblem(const std::string& authorization) {
  if (authorization.rfind("Ghost ", 0) != 0) return "scheme is not Ghost";
  const std::string token = authorization.substr(6);
  const auto d1 = token.find('.');
  const auto d2 = token.find('.', d1 + 1);
  if (d1 == std::string::npos || d2 == std::string::npos) return "not three parts";
  const auto header = util::base64url_decode(token.substr(0, d1));
  const auto payload = util::base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  const auto sig = util::base64url_decode(token.substr(d2 + 1));
  if (!header || !payload || !sig) return "bad base64url";
  const json::value h = json::parse(*header);
  const json::value p = json::parse(*payload);
  if (h.at("alg") != "HS256") return "alg";
  if (h.at("typ") != "JWT") return "typ";
  if (h.at("kid") != kKeyId.c_str()) return "kid";
  if (p.at("aud") != "/admin/") return "aud";
  const std::int64_t iat = p.at("iat").as_int64();
  const std::int64_t exp = p.at("exp").as_int64();
  if (exp - iat > 300) return "lives longer than 5 minutes";
  if (exp <= Now() || iat > Now() + 5) return "expired or from the future";
  if (*sig != util::hmac_sha256(*util::from_hex(kSecretHex), token.substr(0, d2)))
    return "signature";
  return "";
}

// An in-memory Ghost: posts (id, slug, updated_at, fields), uploaded images, the Admin API routes
// the adapter uses, and switches for failures. Thread-safe.
class FakeGhost {
 public:
  struct StoredPost {
    std::string id;
    std::string slug;
    std::string updated_at;
    json::object fields;
  };

  FakeGhost() : server_([this](const TestServer::Request& r) { return handle(r); }) {}

  std::string admin_url() const { return server_.url("/"); }
  TestServer& server() { return server_; }

  void fail_next(const std::string& route, int status, std::string body = "{}") {
    std::lock_guard lock(mutex_);
    failures_.push_back({route, status, std::move(body)});
  }
  void stall_next_create() {
    std::lock_guard lock(mutex_);
    stall_create_ = true;
  }
  // A post someone wrote in Ghost itself.
  void add_foreign_post(const std::string& slug) {
    std::lock_guard lock(mutex_);
    posts_.push_back(
        {NextId(), slug, "2024-01-01T00:00:00.000Z", json::object{{"title", "Theirs"}}});
  }
  std::vector<StoredPost> posts() {
    std::lock_guard lock(mutex_);
    return posts_;
  }
  std::vector<std::string> images() {
    std::lock_guard lock(mutex_);
    return images_;
  }
  std::vector<std::string> token_problems() {
    std::lock_guard lock(mutex_);
    return token_problems_;
  }
  std::vector<std::string> routes() {
    std::vector<std::string> out;
    for (const auto& r : server_.requests()) out.push_back(r.method + " " + r.target);
    return out;
  }

 private:
  struct Failure {
    std::string route;
    int status;
    std::string body;
  };

  std::string NextId() {
    char buf[25];
    std::snprintf(buf, sizeof buf, "%024x", ++counter_);
    return buf;
  }
  static TestServer::Reply Json(int status, const json::value& v) {
    TestServer::Reply r;
    r.status = status;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = json::serialize(v);
    return r;
  }
  static TestServer::Reply Error(int status, const std::string& message) {
    return Json(status, json::object{{"errors", json::array{json::object{{"message", message}}}}});
  }
  json::object view(const StoredPost& p) const {
    json::object o = p.fields;
    o["id"] = p.id;
    o["slug"] = p.slug;
    o["updated_at"] = p.updated_at;
    o["url"] = server_.url("/" + p.slug + "/");
    if (!o.contains("codeinjection_foot")) o["codeinjection_foot"] = nullptr;
    return o;
  }
  TestServer::Reply one(const StoredPost& p, int status = 200) const {
    return Json(status, json::object{{"posts", json::array{view(p)}}});
  }
  StoredPost* find_id(const std::string& id) {
    for (auto& p : posts_)
      if (p.id == id) return &p;
    return nullptr;
  }

  TestServer::Reply handle(const TestServer::Request& r) {
    std::lock_guard lock(mutex_);
    const auto target = test_support::split_target(r.target);
    const std::string prefix = "/ghost/api/admin";
    if (target.path.rfind(prefix, 0) != 0) return Error(404, "Resource not found");
    const std::string path = target.path.substr(prefix.size());
    const std::string auth = r.headers.count("authorization") ? r.headers.at("authorization") : "";
    if (const std::string problem = TokenProblem(auth); !problem.empty()) {
      token_problems_.push_back(problem);
      return Error(401, "Invalid token: " + problem);
    }
    std::string route = r.method + " " + path;
    std::string id;
    if (path.rfind("/posts/", 0) == 0 && path.rfind("/posts/slug/", 0) != 0 && path != "/posts/") {
      id = path.substr(7, path.size() - 8);
      route = r.method + " /posts/{id}/";
    }
    for (auto it = failures_.begin(); it != failures_.end(); ++it) {
      if (it->route == route) {
        TestServer::Reply reply;
        reply.status = it->status;
        reply.body = it->body;
        failures_.erase(it);
        return reply;
      }
    }
    if (r.method == "GET" && path.rfind("/posts/slug/", 0) == 0) {
      const std::string slug = path.substr(12, path.size() - 13);
      for (const auto& p : posts_)
        if (p.slug == slug) return one(p);
      return Error(404, "Post not found.");
    }
    if (route == "POST /posts/") {
      if (!target.query.count("source") || target.query.at("source") != "html")
        return Error(422, "html needs ?source=html");
      const json::value body = json::parse(r.body);
      json::object fields = body.at("posts").as_array().at(0).as_object();
      std::string slug(fields.at("slug").as_string());
      fields.erase("slug");
      for (const auto& p : posts_)
        if (p.slug == slug) slug += "-2";  // Ghost keeps slugs unique
      posts_.push_back({NextId(), slug, "2024-05-01T10:00:00.000Z", std::move(fields)});
      if (stall_create_) {
        stall_create_ = false;
        return test_support::Hang();
      }
      return one(posts_.back(), 201);
    }
    if (route == "GET /posts/{id}/") {
      if (StoredPost* p = find_id(id)) return one(*p);
      return Error(404, "Post not found.");
    }
    if (route == "PUT /posts/{id}/") {
      StoredPost* p = find_id(id);
      if (p == nullptr) return Error(404, "Post not found.");
      if (!target.query.count("source") || target.query.at("source") != "html")
        return Error(422, "html needs ?source=html");
      const json::value body = json::parse(r.body);
      const json::object& fields = body.at("posts").as_array().at(0).as_object();
      if (!fields.contains("updated_at") || fields.at("updated_at") != p->updated_at.c_str())
        return Error(409, "Saving failed! Someone else is editing this post.");
      for (const auto& [k, v] : fields)
        if (k != "updated_at") p->fields[k] = v;
      p->updated_at = "2024-05-01T11:00:00.000Z";
      return one(*p);
    }
    if (route == "DELETE /posts/{id}/") {
      for (auto it = posts_.begin(); it != posts_.end(); ++it) {
        if (it->id != id) continue;
        posts_.erase(it);
        return TestServer::Reply{204, {}, "", false, false};
      }
      return Error(404, "Post not found.");
    }
    if (route == "POST /images/upload/") {
      const std::string type = r.headers.count("content-type") ? r.headers.at("content-type") : "";
      const auto b = type.find("boundary=");
      if (type.rfind("multipart/form-data", 0) != 0 || b == std::string::npos)
        return Error(400, "Please select an image.");
      const std::string boundary = "--" + type.substr(b + 9);
      const auto file = r.body.find("name=\"file\"; filename=\"");
      const bool purpose =
          r.body.find("name=\"purpose\"\r\n\r\nimage\r\n" + boundary) != std::string::npos;
      if (r.body.rfind(boundary + "\r\n", 0) != 0 || file == std::string::npos || !purpose ||
          r.body.find(boundary + "--\r\n") == std::string::npos)
        return Error(400, "Please select an image.");
      const auto start = file + 23;
      const std::string filename = r.body.substr(start, r.body.find('"', start) - start);
      images_.push_back(r.body);
      const std::string url =
          server_.url("/content/images/" + std::to_string(images_.size()) + "/" + filename);
      return Json(201, json::object{{"images", json::array{json::object{{"url", url}}}}});
    }
    return Error(404, "Resource not found");
  }

  std::mutex mutex_;
  std::vector<StoredPost> posts_;
  std::vector<std::string> images_;  // multipart bodies received
  std::vector<std::string> token_problems_;
  std::deque<Failure> failures_;
  bool stall_create_ = false;
  unsigned counter_ = 0;
  TestServer server_;  // last: destroyed (its thread stopped) before the state it reads
};

class GhostTargetTest : public RemoteTargetTestOf<GhostTarget> {
 protected:
  json::object Config(const std::string& status = "") {
    json::object c{{"type", "ghost"},
                   {"admin_url", ghost_.admin_url()},
                   {"admin_key", kKeyId + ":" + kSecretHex}};
    if (!status.empty()) c["status"] = status;
    return c;
  }

  FakeGhost ghost_;
};

TEST_F(GhostTargetTest, EveryRequestCarriesAValidShortLivedToken) {
  ASSERT_TRUE(Publish(Config()).ok);
  EXPECT_TRUE(ghost_.token_problems().empty());
  const auto requests = ghost_.server().requests();
  ASSERT_GE(requests.size(), 3u);
  for (const auto& r : requests) {
    EXPECT_EQ(TokenProblem(r.headers.at("authorization")), "");
    EXPECT_EQ(r.headers.at("accept-version"), "v5.0");
  }
  // The fake's checks do refuse a token that breaks them (so the test above can fail).
  const std::string good = ghost_admin_token(kKeyId + ":" + kSecretHex, Now());
  EXPECT_EQ(TokenProblem("Ghost " + good), "");
  EXPECT_EQ(TokenProblem("Ghost " + ghost_admin_token(kKeyId + ":" + kSecretHex, Now() - 301)),
            "expired or from the future");
  EXPECT_EQ(
      TokenProblem("Ghost " + ghost_admin_token(std::string(24, 'a') + ":" + kSecretHex, Now())),
      "kid");
  EXPECT_EQ(TokenProblem("Ghost " + ghost_admin_token(kKeyId + ":" + std::string(64, 'f'), Now())),
            "signature");
  EXPECT_THROW(ghost_admin_token("not-a-key", Now()), TargetRefused);
}

TEST_F(GhostTargetTest, UploadsTheImageThenCreatesThePostWithItAsFeatureImage) {
  const TargetOutcome out = Publish(Config());
  ASSERT_TRUE(out.ok);
  const auto posts = ghost_.posts();
  ASSERT_EQ(posts.size(), 1u);
  ASSERT_EQ(ghost_.images().size(), 1u);
  EXPECT_EQ(out.remote_id, posts[0].id);
  EXPECT_EQ(out.url, ghost_.server().url("/espresso-at-home/"));

  const auto routes = ghost_.routes();
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0], "GET /ghost/api/admin/posts/slug/espresso-at-home/");
  EXPECT_EQ(routes[1], "POST /ghost/api/admin/images/upload/");
  EXPECT_EQ(routes[2], "POST /ghost/api/admin/posts/?source=html");
  EXPECT_NE(ghost_.images()[0].find(kPng), std::string::npos) << "the file part holds the bytes";
  EXPECT_NE(ghost_.images()[0].find("Content-Type: image/png"), std::string::npos);

  const json::object& f = posts[0].fields;
  EXPECT_EQ(f.at("feature_image").as_string(),
            ghost_.server().url("/content/images/1/espresso-at-home.png"));
  EXPECT_EQ(f.at("title").as_string(), "Espresso at home");
  EXPECT_EQ(posts[0].slug, "espresso-at-home");
  EXPECT_EQ(f.at("custom_excerpt").as_string(), "How to pull a good shot at home.");
  EXPECT_EQ(f.at("status").as_string(), "published");
  EXPECT_EQ(f.at("codeinjection_foot").as_string(), marker_comment(marker_));
  const std::string html(f.at("html").as_string());
  EXPECT_NE(html.find("<h2>Grind</h2>"), std::string::npos) << html;
  EXPECT_EQ(html.find("<script>"), std::string::npos);

  const auto rec = remembered();
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0].remote_id, out.remote_id);
  EXPECT_EQ(rec[0].url, out.url);
}

TEST_F(GhostTargetTest, LongExcerptIsCutToThreeHundredCharacters) {
  with_image_ = false;
  const json::object config = Config("draft");
  RemoteCall call = MakeCall(config);
  Post post = MakePost();
  post.meta_description.clear();
  for (int i = 0; i < 400; ++i) post.meta_description += "é";  // two bytes each
  ASSERT_TRUE(Run(target_.publish(post, {}, call)).ok);
  const auto posts = ghost_.posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].fields.at("custom_excerpt").as_string().size(), 600u);
  EXPECT_EQ(posts[0].fields.at("status").as_string(), "draft");
  EXPECT_FALSE(posts[0].fields.contains("feature_image"));
  EXPECT_TRUE(ghost_.images().empty());
}

TEST_F(GhostTargetTest, ServerErrorIsTransientAndTheRetryCreatesOnePost) {
  ghost_.fail_next("POST /posts/", 502);
  EXPECT_THROW(Publish(Config()), net::HttpError);
  EXPECT_TRUE(ghost_.posts().empty());
  EXPECT_TRUE(remembered().empty());
  const TargetOutcome out = Publish(Config(), last_remembered());
  ASSERT_TRUE(out.ok);
  EXPECT_EQ(ghost_.posts().size(), 1u);
}

TEST_F(GhostTargetTest, TimeoutAfterTheCreateDoesNotMakeASecondPost) {
  ghost_.stall_next_create();
  EXPECT_THROW(Publish(Config(), {}, 700ms), net::Timeout);
  ASSERT_EQ(ghost_.posts().size(), 1u);
  EXPECT_TRUE(remembered().empty());

  const TargetOutcome out = Publish(Config(), last_remembered());
  ASSERT_TRUE(out.ok);
  const auto posts = ghost_.posts();
  ASSERT_EQ(posts.size(), 1u) << "exactly one post on the site";
  EXPECT_EQ(posts[0].slug, "espresso-at-home");
  EXPECT_EQ(out.remote_id, posts[0].id);
  ASSERT_EQ(remembered().size(), 1u);
  EXPECT_EQ(remembered()[0].remote_id, posts[0].id);
  // Found by slug, then edited with the updated_at that lookup returned.
  EXPECT_EQ(ghost_.routes().back(), "PUT /ghost/api/admin/posts/" + posts[0].id + "/?source=html");
  EXPECT_EQ(posts[0].updated_at, "2024-05-01T11:00:00.000Z");
}

TEST_F(GhostTargetTest, SlugHeldByAnotherPostIsRefusedNotDuplicated) {
  ghost_.add_foreign_post("espresso-at-home");
  try {
    Publish(Config());
    FAIL() << "expected TargetRefused";
  } catch (const TargetRefused& e) {
    EXPECT_NE(std::string(e.what()).find("espresso-at-home"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ghost_.posts().size(), 1u);
  EXPECT_TRUE(ghost_.images().empty());
  // Unpublish leaves someone else's post alone.
  EXPECT_TRUE(Unpublish(Config(), {}).ok);
  EXPECT_EQ(ghost_.posts().size(), 1u);
}

TEST_F(GhostTargetTest, RecordedIdIsReadForUpdatedAtThenEdited) {
  const TargetOutcome first = Publish(Config());
  ASSERT_TRUE(first.ok);
  const std::size_t before = ghost_.server().requests().size();
  const TargetOutcome again = Publish(Config("draft"), last_remembered());
  ASSERT_TRUE(again.ok);
  EXPECT_EQ(again.remote_id, first.remote_id);
  const auto routes = ghost_.routes();
  ASSERT_EQ(routes.size(), before + 2);
  EXPECT_EQ(routes[before], "GET /ghost/api/admin/posts/" + *first.remote_id + "/");
  EXPECT_EQ(routes[before + 1], "PUT /ghost/api/admin/posts/" + *first.remote_id + "/?source=html");
  ASSERT_EQ(ghost_.posts().size(), 1u);
  EXPECT_EQ(ghost_.posts()[0].fields.at("status").as_string(), "draft");

  // Someone edited it between our read and our write: Ghost's 409 is transient.
  ghost_.fail_next(
      "PUT /posts/{id}/", 409,
      R"({"errors":[{"message":"Saving failed! Someone else is editing this post."}]})");
  EXPECT_THROW(Publish(Config(), last_remembered()), net::HttpError);
  // A recorded post that was deleted in Ghost is reported, not recreated.
  EXPECT_THROW(Publish(Config(), RemoteRecord{std::string(24, 'f'), std::nullopt}), TargetRefused);
  EXPECT_THROW(Publish(Config(), RemoteRecord{"../settings", std::nullopt}), TargetRefused);
  EXPECT_EQ(ghost_.posts().size(), 1u);
}

TEST_F(GhostTargetTest, RefusedKeyIsFinalWithoutTheSecret) {
  json::object config = Config();
  const std::string other_secret(64, '0');
  config["admin_key"] = kKeyId + ":" + other_secret;
  try {
    Publish(config);
    FAIL() << "expected TargetRefused";
  } catch (const TargetRefused& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("Admin API key"), std::string::npos) << m;
    EXPECT_EQ(m.find(other_secret), std::string::npos);
  }
  EXPECT_EQ(ghost_.token_problems(), std::vector<std::string>{"signature"});
}

TEST_F(GhostTargetTest, ValidationErrorsAreFinalWithGhostsMessage) {
  ghost_.fail_next(
      "POST /posts/", 422,
      R"({"errors":[{"message":"Validation error, cannot save post.",)"
      R"("context":"Value in [posts.title] exceeds maximum length of 255 characters."}]})");
  try {
    Publish(Config());
    FAIL() << "expected TargetRefused";
  } catch (const TargetRefused& e) {
    EXPECT_NE(std::string(e.what()).find("exceeds maximum length of 255"), std::string::npos)
        << e.what();
  }
}

TEST_F(GhostTargetTest, UnpublishDeletesThePostAndToleratesItBeingGone) {
  const TargetOutcome out = Publish(Config());
  ASSERT_TRUE(out.ok);
  EXPECT_TRUE(Unpublish(Config(), last_remembered()).ok);
  EXPECT_TRUE(ghost_.posts().empty());
  EXPECT_EQ(ghost_.routes().back(), "DELETE /ghost/api/admin/posts/" + *out.remote_id + "/");
  EXPECT_TRUE(Unpublish(Config(), last_remembered()).ok);  // 404: already gone
  // Without a record, the post created by an attempt whose answer was lost is found and removed.
  ghost_.stall_next_create();
  EXPECT_THROW(Publish(Config(), {}, 700ms), net::Timeout);
  ASSERT_EQ(ghost_.posts().size(), 1u);
  EXPECT_TRUE(Unpublish(Config(), {}).ok);
  EXPECT_TRUE(ghost_.posts().empty());
}

TEST(GhostConfig, AcceptsTheDocumentedShapeAndNamesTheBadField) {
  const json::object ok{{"type", "ghost"},
                        {"admin_url", "https://ghost.example"},
                        {"admin_key", kKeyId + ":" + kSecretHex}};
  EXPECT_EQ(check_ghost_config(ok), std::nullopt);
  auto with = [&](const char* key, const json::value& v) {
    json::object c = ok;
    c[key] = v;
    return check_ghost_config(c);
  };
  auto starts = [](const std::optional<std::string>& p, const std::string& field) {
    return p && p->rfind(field, 0) == 0;
  };
  EXPECT_EQ(with("status", "draft"), std::nullopt);
  EXPECT_EQ(with("status", "published"), std::nullopt);
  EXPECT_EQ(with("admin_url", "https://example.com/blog/"), std::nullopt);
  EXPECT_TRUE(starts(with("status", "publish"), "status"));
  EXPECT_TRUE(starts(with("admin_url", "ghost.example"), "admin_url"));
  EXPECT_TRUE(starts(with("admin_url", "https://a:b@ghost.example"), "admin_url"));
  EXPECT_TRUE(starts(with("admin_url", "https://ghost.example/#admin"), "admin_url"));
  EXPECT_TRUE(starts(with("admin_url", "javascript:alert(1)"), "admin_url"));
  EXPECT_TRUE(starts(with("admin_key", json::string(kSecretHex)), "admin_key"));
  EXPECT_TRUE(
      starts(with("admin_key", json::string(kKeyId + ":" + kSecretHex.substr(1))), "admin_key"));
  EXPECT_TRUE(starts(with("admin_key", json::string(kKeyId + ":" + kSecretHex.substr(1) + "g")),
                     "admin_key"));
  EXPECT_TRUE(
      starts(with("admin_key", json::string(kKeyId + "0:" + kSecretHex.substr(1))), "admin_key"));
  EXPECT_TRUE(starts(with("admin_key", 12), "admin_key"));
  json::object missing = ok;
  missing.erase("admin_key");
  EXPECT_TRUE(starts(check_ghost_config(missing), "admin_key"));
  // The message never repeats the key.
  EXPECT_EQ(with("admin_key", "secret-value")->find("secret-value"), std::string::npos);
}

}  // namespace
}  // namespace autoblog::publishing
