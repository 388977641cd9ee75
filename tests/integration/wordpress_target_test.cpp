// The WordPress adapter against a fake WordPress REST API inside the test (TestServer): the
// Basic auth header, the media upload before the post and featured_media, a 5xx then a retry,
// a timeout after the post was created (the retry finds it by marker: one post), 401 and other
// 4xx refusals, updates of a recorded post, unpublish, and the settings check.
#include "publishing/wordpress_target.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "net/errors.h"
#include "publishing/publication_marker.h"
#include "remote_target_fixture.h"
#include "test_http_server.h"
#include "util/base64.h"

namespace autoblog::publishing {
namespace {

namespace json = boost::json;
using test_support::RemoteTargetTestOf;
using test_support::TestServer;
using namespace std::chrono_literals;

constexpr const char* kUser = "bot";
constexpr const char* kPassword = "abcd efgh ijkl mnop qrst uvwx";

// An in-memory WordPress: posts and media, the REST routes the adapter uses, Basic auth with
// one application password, and switches for failures. Thread-safe (the server thread answers,
// the test thread reads).
class FakeWordPress {
 public:
  struct StoredPost {
    long id;
    json::object fields;  // as last written
    std::string status;
  };
  struct Media {
    long id;
    std::string filename, content_type, bytes;
  };

  FakeWordPress() : server_([this](const TestServer::Request& r) { return handle(r); }) {}

  std::string site() const { return server_.url("/"); }
  TestServer& server() { return server_; }

  // The next request of `route` ("POST /posts", "GET /posts", ...) answers `status`.
  void fail_next(const std::string& route, int status, std::string body = "{}") {
    std::lock_guard lock(mutex_);
    failures_.push_back({route, status, std::move(body)});
  }
  // The next create stores the post, then never answers.
  void stall_next_create() {
    std::lock_guard lock(mutex_);
    stall_create_ = true;
  }
  std::vector<StoredPost> posts() {
    std::lock_guard lock(mutex_);
    return posts_;
  }
  std::vector<Media> media() {
    std::lock_guard lock(mutex_);
    return media_;
  }
  std::vector<std::string> routes() {
    std::vector<std::string> out;
    for (const auto& r : server_.requests())
      out.push_back(r.method + " " + test_support::split_target(r.target).path);
    return out;
  }

 private:
  struct Failure {
    std::string route;
    int status;
    std::string body;
  };

  static TestServer::Reply Json(int status, const json::value& v) {
    TestServer::Reply r;
    r.status = status;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = json::serialize(v);
    return r;
  }
  json::object view(const StoredPost& p) const {
    json::object o;
    o["id"] = p.id;
    o["link"] = server_.url("/?p=" + std::to_string(p.id));
    o["status"] = p.status;
    o["content"] = json::object{
        {"raw", p.fields.contains("content") ? p.fields.at("content") : json::value("")}};
    return o;
  }

  TestServer::Reply handle(const TestServer::Request& r) {
    std::lock_guard lock(mutex_);
    const auto target = test_support::split_target(r.target);
    const std::string prefix = "/wp-json/wp/v2";
    std::string path = target.path.substr(0, prefix.size()) == prefix
                           ? target.path.substr(prefix.size())
                           : target.path;
    const auto auth = r.headers.find("authorization");
    if (auth == r.headers.end() ||
        auth->second != "Basic " + util::base64_encode(std::string(kUser) + ":" + kPassword)) {
      return Json(401, json::object{{"code", "incorrect_password"},
                                    {"message",
                                     "The provided password is an invalid "
                                     "application password."}});
    }
    std::string route_path = path;
    std::string id_part;
    if (path.rfind("/posts/", 0) == 0) {
      id_part = path.substr(7);
      route_path = "/posts/{id}";
    }
    const std::string route = r.method + " " + route_path;
    for (auto it = failures_.begin(); it != failures_.end(); ++it) {
      if (it->route == route) {
        TestServer::Reply reply;
        reply.status = it->status;
        reply.body = it->body;
        reply.headers = {{"Content-Type", "application/json"}};
        failures_.erase(it);
        return reply;
      }
    }
    if (route == "GET /posts") {
      json::array out;
      const std::string term = target.query.count("search") ? target.query.at("search") : "";
      if (target.query.count("status") == 0 || target.query.at("status") != "any" ||
          target.query.count("context") == 0 || target.query.at("context") != "edit") {
        return Json(400, json::object{{"message", "lookup must see every status, raw"}});
      }
      for (const auto& p : posts_) {
        if (p.status == "trash") continue;
        const auto& content = p.fields.at("content").as_string();
        if (term.empty() || std::string_view(content).find(term) != std::string_view::npos)
          out.push_back(view(p));
      }
      return Json(200, out);
    }
    if (route == "POST /posts") {
      json::error_code ec;
      json::value body = json::parse(r.body, ec);
      if (ec || !body.is_object() || !body.as_object().contains("title"))
        return Json(400, json::object{{"code", "rest_invalid_param"},
                                      {"message", "Invalid parameter(s): title"}});
      StoredPost p{next_id_++, body.as_object(), std::string(body.at("status").as_string())};
      posts_.push_back(p);
      if (stall_create_) {
        stall_create_ = false;
        return test_support::Hang();
      }
      return Json(201, view(p));
    }
    if (route == "POST /posts/{id}" || route == "DELETE /posts/{id}") {
      for (auto& p : posts_) {
        if (std::to_string(p.id) != id_part) continue;
        if (r.method == "DELETE") {
          if (p.status == "trash")
            return Json(410, json::object{{"code", "rest_already_trashed"},
                                          {"message", "The post has already been deleted."}});
          p.status = "trash";
          return Json(200, view(p));
        }
        const json::value body = json::parse(r.body);
        for (const auto& [k, v] : body.as_object()) p.fields[k] = v;
        p.status = std::string(p.fields.at("status").as_string());
        return Json(200, view(p));
      }
      return Json(404,
                  json::object{{"code", "rest_post_invalid_id"}, {"message", "Invalid post ID."}});
    }
    if (route == "GET /media") {
      json::array out;
      const std::string term = target.query.count("search") ? target.query.at("search") : "";
      for (const auto& m : media_)
        if (m.filename.find(term) != std::string::npos)
          out.push_back(
              json::object{{"id", m.id}, {"source_url", server_.url("/uploads/" + m.filename)}});
      return Json(200, out);
    }
    if (route == "POST /media") {
      const std::string disposition =
          r.headers.count("content-disposition") ? r.headers.at("content-disposition") : "";
      const auto f = disposition.find("filename=\"");
      if (f == std::string::npos)
        return Json(400, json::object{{"code", "rest_upload_no_content_disposition"},
                                      {"message", "No Content-Disposition supplied."}});
      const auto start = f + 10;
      Media m{next_id_++, disposition.substr(start, disposition.find('"', start) - start),
              r.headers.at("content-type"), r.body};
      media_.push_back(m);
      return Json(
          201, json::object{{"id", m.id}, {"source_url", server_.url("/uploads/" + m.filename)}});
    }
    return Json(404, json::object{{"code", "rest_no_route"}, {"message", "No route."}});
  }

  std::mutex mutex_;
  std::vector<StoredPost> posts_;
  std::vector<Media> media_;
  std::deque<Failure> failures_;
  bool stall_create_ = false;
  long next_id_ = 100;
  TestServer server_;  // last: destroyed (its thread stopped) before the state it reads
};

class WordPressTargetTest : public RemoteTargetTestOf<WordPressTarget> {
 protected:
  json::object Config(const std::string& status = "") {
    json::object c{{"type", "wordpress"},
                   {"site", wp_.site()},
                   {"username", kUser},
                   {"application_password", kPassword}};
    if (!status.empty()) c["status"] = status;
    return c;
  }

  FakeWordPress wp_;
};

TEST_F(WordPressTargetTest, UploadsTheImageThenCreatesThePostWithItAsFeaturedMedia) {
  const TargetOutcome out = Publish(Config());
  ASSERT_TRUE(out.ok);
  const auto posts = wp_.posts();
  const auto media = wp_.media();
  ASSERT_EQ(posts.size(), 1u);
  ASSERT_EQ(media.size(), 1u);
  EXPECT_EQ(out.remote_id, std::to_string(posts[0].id));
  EXPECT_EQ(out.url, wp_.server().url("/?p=" + std::to_string(posts[0].id)));

  // The media went first, with the bytes, the type and a file name carrying the marker token.
  const auto routes = wp_.routes();
  ASSERT_EQ(routes.size(), 4u);
  EXPECT_EQ(routes[0], "GET /wp-json/wp/v2/posts");  // lookup by marker
  EXPECT_EQ(routes[1], "GET /wp-json/wp/v2/media");  // media of an earlier attempt?
  EXPECT_EQ(routes[2], "POST /wp-json/wp/v2/media");
  EXPECT_EQ(routes[3], "POST /wp-json/wp/v2/posts");
  EXPECT_EQ(media[0].bytes, kPng);
  EXPECT_EQ(media[0].content_type, "image/png");
  EXPECT_EQ(media[0].filename, "espresso-at-home-" + marker_token(marker_) + ".png");

  const json::object& f = posts[0].fields;
  EXPECT_EQ(f.at("featured_media").as_int64(), media[0].id);
  EXPECT_EQ(f.at("title").as_string(), "Espresso at home");
  EXPECT_EQ(f.at("slug").as_string(), "espresso-at-home");
  EXPECT_EQ(f.at("excerpt").as_string(), "How to pull a good shot at home.");
  EXPECT_EQ(f.at("status").as_string(), "publish");
  const std::string content(f.at("content").as_string());
  EXPECT_NE(content.find("<h2>Grind</h2>"), std::string::npos) << content;
  EXPECT_NE(content.find("<em>very</em>"), std::string::npos);
  EXPECT_EQ(content.find("<script>"), std::string::npos) << "raw HTML must stay text";
  EXPECT_NE(content.find(marker_comment(marker_)), std::string::npos);

  // Every request carried the application password; the id was remembered once, at creation.
  for (const auto& r : wp_.server().requests())
    EXPECT_EQ(r.headers.at("authorization"),
              "Basic " + util::base64_encode(std::string(kUser) + ":" + kPassword));
  const auto rec = remembered();
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0].remote_id, out.remote_id);
  EXPECT_EQ(rec[0].url, out.url);
}

TEST_F(WordPressTargetTest, DraftStatusAndNoImageMeansNoMediaRequest) {
  with_image_ = false;
  ASSERT_TRUE(Publish(Config("draft")).ok);
  const auto posts = wp_.posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].status, "draft");
  EXPECT_FALSE(posts[0].fields.contains("featured_media"));
  EXPECT_TRUE(wp_.media().empty());
}

TEST_F(WordPressTargetTest, ServerErrorIsTransientAndTheRetryCreatesOnePostWithOneImage) {
  wp_.fail_next("POST /posts", 503, R"({"message":"busy"})");
  EXPECT_THROW(
      {
        try {
          Publish(Config());
        } catch (const TargetRefused&) {
          ADD_FAILURE() << "a 503 must not be final";
        }
      },
      net::HttpError);
  EXPECT_TRUE(remembered().empty());
  EXPECT_TRUE(wp_.posts().empty());
  ASSERT_EQ(wp_.media().size(), 1u);  // uploaded before the create failed

  // The job's retry: the same marker, the (empty) record the first attempt left.
  const TargetOutcome out = Publish(Config(), last_remembered());
  ASSERT_TRUE(out.ok);
  const auto posts = wp_.posts();
  ASSERT_EQ(posts.size(), 1u);
  ASSERT_EQ(wp_.media().size(), 1u) << "the retry reuses the media of the first attempt";
  EXPECT_EQ(posts[0].fields.at("featured_media").as_int64(), wp_.media()[0].id);
}

TEST_F(WordPressTargetTest, TimeoutAfterTheCreateDoesNotMakeASecondPost) {
  wp_.stall_next_create();
  EXPECT_THROW(Publish(Config(), {}, 700ms), net::Timeout);
  ASSERT_EQ(wp_.posts().size(), 1u);  // WordPress created it; its answer never came
  EXPECT_TRUE(remembered().empty());

  // Retry with nothing recorded: the lookup by marker finds the post, remembers and updates it.
  const TargetOutcome out = Publish(Config(), last_remembered());
  ASSERT_TRUE(out.ok);
  const auto posts = wp_.posts();
  ASSERT_EQ(posts.size(), 1u) << "exactly one post on the site";
  EXPECT_EQ(out.remote_id, std::to_string(posts[0].id));
  const auto rec = remembered();
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0].remote_id, out.remote_id);
  const auto routes = wp_.routes();
  EXPECT_EQ(routes.back(), "POST /wp-json/wp/v2/posts/" + *out.remote_id);
}

TEST_F(WordPressTargetTest, RecordedIdIsUpdatedNeverRecreated) {
  const TargetOutcome first = Publish(Config());
  ASSERT_TRUE(first.ok);
  const std::size_t requests = wp_.server().requests().size();
  const TargetOutcome again = Publish(Config("draft"), last_remembered());
  ASSERT_TRUE(again.ok);
  EXPECT_EQ(again.remote_id, first.remote_id);
  const auto all = wp_.server().requests();
  ASSERT_EQ(all.size(), requests + 1);  // one update, no lookup, no upload
  EXPECT_EQ(all.back().method, "POST");
  EXPECT_EQ(all.back().target, "/wp-json/wp/v2/posts/" + *first.remote_id);
  ASSERT_EQ(wp_.posts().size(), 1u);
  EXPECT_EQ(wp_.posts()[0].status, "draft");

  // A recorded post that no longer exists is reported, not silently replaced.
  EXPECT_THROW(Publish(Config(), RemoteRecord{"999999", std::nullopt}), TargetRefused);
  EXPECT_EQ(wp_.posts().size(), 1u);
}

TEST_F(WordPressTargetTest, RefusedPasswordIsFinalAndNamesTheUserNotThePassword) {
  json::object config = Config();
  config["application_password"] = "wrong pass word";
  try {
    Publish(config);
    FAIL() << "expected TargetRefused";
  } catch (const TargetRefused& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("application password for user bot"), std::string::npos) << m;
    EXPECT_EQ(m.find("wrong pass word"), std::string::npos) << m;
    EXPECT_FALSE(e.disable);
  }
  EXPECT_TRUE(wp_.posts().empty());
}

TEST_F(WordPressTargetTest, OtherClientErrorsAreFinalWithWordPressMessage) {
  wp_.fail_next("POST /posts", 400,
                R"({"code":"rest_invalid_param","message":"Invalid parameter(s): status"})");
  try {
    Publish(Config());
    FAIL() << "expected TargetRefused";
  } catch (const TargetRefused& e) {
    EXPECT_NE(std::string(e.what()).find("Invalid parameter(s): status"), std::string::npos)
        << e.what();
  }
}

TEST_F(WordPressTargetTest, AddressWithoutTheRestApiIsFinal) {
  json::object config = Config();
  config["site"] = wp_.site() + "not-wordpress";  // the fake answers 404 there
  try {
    Publish(config);
    FAIL() << "expected TargetRefused";
  } catch (const TargetRefused& e) {
    EXPECT_NE(std::string(e.what()).find("REST API did not answer"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(wp_.media().empty());
  EXPECT_TRUE(wp_.posts().empty());
}

TEST_F(WordPressTargetTest, UnpublishTrashesThePostAndToleratesItBeingGone) {
  const TargetOutcome out = Publish(Config());
  ASSERT_TRUE(out.ok);
  const TargetOutcome gone = Unpublish(Config(), last_remembered());
  EXPECT_TRUE(gone.ok);
  ASSERT_EQ(wp_.posts().size(), 1u);
  EXPECT_EQ(wp_.posts()[0].status, "trash");
  const auto last = wp_.server().requests().back();
  EXPECT_EQ(last.method, "DELETE");
  EXPECT_EQ(last.target, "/wp-json/wp/v2/posts/" + *out.remote_id);
  // Again: WordPress answers 410 (already trashed); a post it never had: 404. Both are gone.
  EXPECT_TRUE(Unpublish(Config(), last_remembered()).ok);
  EXPECT_TRUE(Unpublish(Config(), RemoteRecord{"424242", std::nullopt}).ok);
}

TEST_F(WordPressTargetTest, UnpublishWithoutRecordFindsThePostByMarker) {
  wp_.stall_next_create();
  EXPECT_THROW(Publish(Config(), {}, 700ms), net::Timeout);
  EXPECT_TRUE(Unpublish(Config(), {}).ok);
  ASSERT_EQ(wp_.posts().size(), 1u);
  EXPECT_EQ(wp_.posts()[0].status, "trash");
  // Nothing published under this marker at all: nothing to do, no DELETE sent.
  marker_ = "another-publication";
  const std::size_t before = wp_.server().requests().size();
  EXPECT_TRUE(Unpublish(Config(), {}).ok);
  EXPECT_EQ(wp_.server().requests().size(), before + 1);  // the lookup only
}

TEST(WordPressConfig, AcceptsTheDocumentedShapeAndNamesTheBadField) {
  const json::object ok{{"type", "wordpress"},
                        {"site", "https://blog.example/"},
                        {"username", "bot"},
                        {"application_password", "abcd efgh ijkl mnop qrst uvwx"}};
  EXPECT_EQ(check_wordpress_config(ok), std::nullopt);
  auto with = [&](const char* key, const json::value& v) {
    json::object c = ok;
    c[key] = v;
    return check_wordpress_config(c);
  };
  auto without = [&](const char* key) {
    json::object c = ok;
    c.erase(key);
    return check_wordpress_config(c);
  };
  EXPECT_EQ(with("status", "draft"), std::nullopt);
  EXPECT_EQ(with("site", "http://example.com/blog"), std::nullopt);
  auto starts = [](const std::optional<std::string>& p, const std::string& field) {
    return p && p->rfind(field, 0) == 0;
  };
  EXPECT_TRUE(starts(with("status", "published"), "status")) << *with("status", "published");
  EXPECT_TRUE(starts(with("status", 1), "status"));
  EXPECT_TRUE(starts(without("site"), "site"));
  EXPECT_TRUE(starts(with("site", "ftp://blog.example"), "site"));
  EXPECT_TRUE(starts(with("site", "blog.example"), "site"));
  EXPECT_TRUE(starts(with("site", "https://user:pw@blog.example"), "site"));
  EXPECT_TRUE(starts(with("site", "https://blog.example/#x"), "site"));
  EXPECT_TRUE(starts(with("site", "https://blog.example/?p=1"), "site"));
  EXPECT_TRUE(starts(with("site", json::value(nullptr)), "site"));
  EXPECT_TRUE(starts(without("username"), "username"));
  EXPECT_TRUE(starts(with("username", ""), "username"));
  EXPECT_TRUE(starts(with("username", json::string(std::string(61, 'u'))), "username"));
  EXPECT_TRUE(starts(without("application_password"), "application_password"));
  EXPECT_TRUE(starts(with("application_password", "a\nb"), "application_password"));
}

}  // namespace
}  // namespace autoblog::publishing
