#pragma once
// What the WordPress and Ghost adapter tests share: the one HTTP client on its own io_context
// thread (private addresses allowed, so it may reach the fake on 127.0.0.1), a RemoteCall the
// way the deliver job builds one (remember() records what the adapter reported; load_image()
// hands out a fixed PNG), and helpers to run an adapter call to completion and to split a
// request target. Not thread-safe: one test thread; the adapter's callbacks run on the client
// thread while the test thread waits for the result.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.h"
#include "publishing/remote_target.h"
#include "util/percent.h"

namespace autoblog::test_support {

class RemoteTargetTest : public ::testing::Test {
 protected:
  using RemoteRecord = publishing::RemoteRecord;

  void SetUp() override {
    work_.emplace(ioc_.get_executor());
    net::ClientOptions options;
    options.egress.allow_private = true;
    client_ = std::make_unique<net::HttpClient>(ioc_.get_executor(), options);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    work_.reset();
    ioc_.stop();
    thread_.join();
    client_.reset();
  }

  publishing::Post MakePost() {
    publishing::Post post;
    post.content_id = "7d3c2c7e-1c4b-4d5e-9f00-5a3c1d2e4f60";
    post.title = "Espresso at home";
    post.slug = "espresso-at-home";
    post.meta_description = "How to pull a good shot at home.";
    post.body_markdown = "## Grind\n\nFine, *very* fine.\n\n<script>alert(1)</script>\n";
    post.image_key = "images/espresso.png";
    return post;
  }

  // A call as the deliver job makes it: the same marker on every attempt of one publication.
  // The call borrows `config`, as the job's does (a temporary would dangle: not accepted).
  publishing::RemoteCall MakeCall(const boost::json::object&& config,
                                  std::chrono::milliseconds budget = std::chrono::seconds(5)) =
      delete;
  publishing::RemoteCall MakeCall(const boost::json::object& config,
                                  std::chrono::milliseconds budget = std::chrono::seconds(5)) {
    publishing::RemoteCall call{
        *client_,
        config,
        "tenant-1",
        marker_,
        std::nullopt,
        "2024-05-01T10:00:00Z",
        std::chrono::steady_clock::now() + budget,
        [this]() -> boost::asio::awaitable<std::optional<publishing::PostImage>> {
          ++images_loaded_;
          if (!with_image_) co_return std::nullopt;
          publishing::PostImage image{kPng, "image/png", "espresso-at-home.png"};
          co_return image;
        },
        [this](const RemoteRecord& r) -> boost::asio::awaitable<void> {
          std::lock_guard lock(mutex_);
          remembered_.push_back(r);
          co_return;
        },
        std::nullopt};
    return call;
  }

  template <class T>
  T Run(boost::asio::awaitable<T> task) {
    return boost::asio::co_spawn(ioc_, std::move(task), boost::asio::use_future).get();
  }

  std::vector<RemoteRecord> remembered() {
    std::lock_guard lock(mutex_);
    return remembered_;
  }
  // The record the job would hand to the next attempt: the last one remembered.
  RemoteRecord last_remembered() {
    std::lock_guard lock(mutex_);
    return remembered_.empty() ? RemoteRecord{} : remembered_.back();
  }

  inline static const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + "fake-image-bytes";
  std::string marker_ = "pub_0f3b6a1e-5d1c-4a6e-8b7f-2c9d0e1f2a3b";
  bool with_image_ = true;
  int images_loaded_ = 0;

 private:
  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::unique_ptr<net::HttpClient> client_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<RemoteRecord> remembered_;
};

// The fixture of one target type: its publish and unpublish calls, as the deliver job makes them.
template <class TargetType>
class RemoteTargetTestOf : public RemoteTargetTest {
 protected:
  publishing::TargetOutcome Publish(const boost::json::object& config,
                                    const RemoteRecord& prior = {},
                                    std::chrono::milliseconds budget = std::chrono::seconds(5)) {
    publishing::RemoteCall call = MakeCall(config, budget);
    const publishing::Post post = MakePost();
    return Run(target_.publish(post, prior, call));
  }
  publishing::TargetOutcome Unpublish(const boost::json::object& config,
                                      const RemoteRecord& prior) {
    publishing::RemoteCall call = MakeCall(config);
    const publishing::Post post = MakePost();
    return Run(target_.unpublish(post, prior, call));
  }

  TargetType target_;
};

// A request target split into its path and decoded query parameters.
struct Target {
  std::string path;
  std::map<std::string, std::string> query;
};

inline Target split_target(const std::string& target) {
  Target t;
  const auto q = target.find('?');
  t.path = target.substr(0, q);
  if (q != std::string::npos) {
    if (auto params = util::parse_query(std::string_view(target).substr(q + 1)))
      for (auto& [k, v] : *params) t.query[k] = v;
  }
  return t;
}

}  // namespace autoblog::test_support
