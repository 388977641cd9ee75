// The `openai` provider against a fake OpenAI-compatible server inside the test
// (test_http_server.h): what it sends (model, response_format, Authorization, prompts, image
// quality) and how every kind of misbehaviour ends (retry, or which typed error).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "content/providers/errors.h"
#include "content/providers/factory.h"
#include "content/providers/openai_provider.h"
#include "net/http_client.h"
#include "test_http_server.h"
#include "util/base64.h"

namespace autoblog::content::providers {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using test_support::Hang;
using test_support::Status;
using test_support::TestServer;
using Clock = std::chrono::steady_clock;

const std::string kKey = "sk-test-secret-0123456789";
const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + "fake image bytes";

std::string completion(const std::string& content, const std::string& model = "gpt-4o-mini-2024") {
  json::object message{{"role", "assistant"}, {"content", content}};
  json::object o{
      {"id", "chatcmpl-1"},
      {"object", "chat.completion"},
      {"model", model},
      {"choices",
       json::array{json::object{{"index", 0}, {"message", message}, {"finish_reason", "stop"}}}},
      {"usage",
       json::object{{"prompt_tokens", 321}, {"completion_tokens", 654}, {"total_tokens", 975}}}};
  return json::serialize(o);
}

TestServer::Reply Json(std::string body, int status = 200) {
  TestServer::Reply r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = std::move(body);
  return r;
}

class OpenAiProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_.emplace(ioc_.get_executor());
    http_ = std::make_unique<net::HttpClient>(ioc_.get_executor());
    thread_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    work_.reset();
    ioc_.stop();
    thread_.join();
    http_.reset();
  }

  void serve(TestServer::Responder responder) {
    server_ = std::make_unique<TestServer>(std::move(responder));
  }
  AiSettings settings() {
    AiSettings s;
    s.base_url = server_->url("/v1/");  // a trailing slash is tolerated
    s.api_key = kKey;
    s.timeout = 10s;
    s.connect_timeout = 2s;
    s.max_attempts = 3;
    s.max_retry_after = 5s;
    return s;
  }
  TextResult text(TextRequest request, std::optional<AiSettings> s = std::nullopt) {
    OpenAiTextGenerator gen(s ? *s : settings(), *http_);
    return asio::co_spawn(ioc_, gen.generate(std::move(request)), asio::use_future).get();
  }
  ImageResult image(ImageRequest request, std::optional<AiSettings> s = std::nullopt) {
    OpenAiImageGenerator gen(s ? *s : settings(), *http_);
    return asio::co_spawn(ioc_, gen.generate(std::move(request)), asio::use_future).get();
  }
  static TextRequest article_request() {
    TextRequest r;
    r.model = "gpt-4o-mini";
    r.system_prompt = "You write in a friendly voice.";
    r.user_prompt = "Write about sourdough baking. Keywords: starter, hydration.";
    r.max_tokens = 1500;
    return r;
  }
  json::object body_of(std::size_t i) {
    return json::parse(server_->requests().at(i).body).as_object();
  }

  asio::io_context ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::unique_ptr<net::HttpClient> http_;
  std::thread thread_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(OpenAiProviderTest, ChatCompletionAsksForAJsonObjectWithTheModelKeyAndPrompts) {
  serve([](const TestServer::Request&) { return Json(completion("{\"title\":\"Hi\"}")); });
  auto r = text(article_request());
  EXPECT_EQ(r.text, "{\"title\":\"Hi\"}");
  EXPECT_EQ(r.provider, "openai");
  EXPECT_EQ(r.model, "gpt-4o-mini-2024");  // as the provider reports it
  EXPECT_EQ(r.prompt_tokens, 321);
  EXPECT_EQ(r.completion_tokens, 654);
  EXPECT_EQ(r.finish_reason, "stop");
  EXPECT_EQ(r.attempts, 1);

  auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/v1/chat/completions");
  EXPECT_EQ(requests[0].headers["authorization"], "Bearer " + kKey);
  EXPECT_EQ(requests[0].headers["content-type"], "application/json");
  auto body = body_of(0);
  EXPECT_EQ(body["model"].as_string(), "gpt-4o-mini");
  EXPECT_EQ(body["response_format"].as_object()["type"].as_string(), "json_object");
  EXPECT_EQ(body["max_tokens"].as_int64(), 1500);
  auto& messages = body["messages"].as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].as_object().at("role").as_string(), "system");
  EXPECT_EQ(messages[0].as_object().at("content").as_string(), "You write in a friendly voice.");
  EXPECT_EQ(messages[1].as_object().at("role").as_string(), "user");
  EXPECT_NE(std::string(messages[1].as_object().at("content").as_string()).find("hydration"),
            std::string::npos);
}

TEST_F(OpenAiProviderTest, WithoutAKeyNoAuthorizationAndWithoutJsonModeNoResponseFormat) {
  serve([](const TestServer::Request&) { return Json(completion("plain")); });
  auto s = settings();
  s.api_key.clear();
  auto req = article_request();
  req.want_json_object = false;
  req.system_prompt.clear();
  EXPECT_EQ(text(req, s).text, "plain");
  auto rq = server_->requests().at(0);
  EXPECT_EQ(rq.headers.count("authorization"), 0u);
  auto body = body_of(0);
  EXPECT_FALSE(body.contains("response_format"));
  EXPECT_EQ(body["messages"].as_array().size(), 1u);
}

TEST_F(OpenAiProviderTest, ImageRequestCarriesQualityAndTheB64ImageIsDecoded) {
  serve([](const TestServer::Request&) {
    return Json(json::serialize(json::object{
        {"created", 1},
        {"data", json::array{json::object{{"b64_json", util::base64_encode(kPng)}}}}}));
  });
  ImageRequest req;
  req.prompt = "A loaf of sourdough on a wooden board";
  req.quality = "hd";
  req.size = "1792x1024";
  auto r = image(req);
  EXPECT_EQ(r.bytes, kPng);
  EXPECT_EQ(r.content_type, "image/png");
  EXPECT_EQ(r.provider, "openai");
  EXPECT_EQ(r.model, "dall-e-3");  // the configured image model
  auto rq = server_->requests().at(0);
  EXPECT_EQ(rq.target, "/v1/images/generations");
  EXPECT_EQ(rq.headers["authorization"], "Bearer " + kKey);
  auto body = body_of(0);
  EXPECT_EQ(body["quality"].as_string(), "hd");
  EXPECT_EQ(body["response_format"].as_string(), "b64_json");
  EXPECT_EQ(body["size"].as_string(), "1792x1024");
  EXPECT_EQ(body["model"].as_string(), "dall-e-3");
  EXPECT_EQ(body["prompt"].as_string(), req.prompt);
  EXPECT_EQ(body["n"].as_int64(), 1);
}

TEST_F(OpenAiProviderTest, ImageAnswersWeCannotUseAreInvalidResponses) {
  std::string answer;
  serve([&](const TestServer::Request&) { return Json(answer); });
  ImageRequest req;
  req.prompt = "x";
  for (std::string a : {std::string("{\"data\":[]}"), std::string("{\"created\":1}"),
                        std::string("{\"data\":[{\"url\":\"https://x/y.png\"}]}"),
                        std::string("{\"data\":[{\"b64_json\":\"not base64!\"}]}"),
                        std::string("{\"data\":[{\"b64_json\":\"\"}]}"),
                        "{\"data\":[{\"b64_json\":\"" + util::base64_encode("<html>") + "\"}]}",
                        std::string("[1,2]")}) {
    answer = a;
    EXPECT_THROW(image(req), ProviderInvalidResponse) << a;
  }
}

TEST_F(OpenAiProviderTest, A429WithAShortRetryAfterIsWaitedForThenSucceeds) {
  int n = 0;
  serve([&](const TestServer::Request&) {
    if (n++ == 0) {
      auto r = Json("{\"error\":{\"message\":\"Rate limit reached\"}}", 429);
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    return Json(completion("{}"));
  });
  auto r = text(article_request());
  EXPECT_EQ(r.attempts, 2);
  auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_GE(requests[1].at - requests[0].at, 900ms);  // Retry-After honoured
}

TEST_F(OpenAiProviderTest, A429WithALongRetryAfterIsProviderRateLimitedAtOnce) {
  serve([&](const TestServer::Request&) {
    auto r = Json("{\"error\":{\"message\":\"Rate limit reached for requests\"}}", 429);
    r.headers.emplace_back("Retry-After", "120");
    return r;
  });
  try {
    text(article_request());
    FAIL() << "no exception";
  } catch (const ProviderRateLimited& e) {
    EXPECT_EQ(e.retry_after, 120s);
    EXPECT_NE(std::string(e.what()).find("Rate limit reached"), std::string::npos);
  }
  EXPECT_EQ(server_->requests().size(), 1u);
}

TEST_F(OpenAiProviderTest, ServerErrorsAreRetriedThenSucceed) {
  int n = 0;
  serve([&](const TestServer::Request&) {
    ++n;
    if (n == 1) return Status(500);
    if (n == 2) return Status(502);
    return Json(completion("{\"ok\":true}"));
  });
  auto r = text(article_request());
  EXPECT_EQ(r.text, "{\"ok\":true}");
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(server_->requests().size(), 3u);
}

TEST_F(OpenAiProviderTest, ServerErrorsForeverAreProviderTransientAfterTheCappedRetries) {
  serve([](const TestServer::Request&) { return Json("{\"error\":{\"message\":\"boom\"}}", 500); });
  try {
    text(article_request());
    FAIL() << "no exception";
  } catch (const ProviderTransient& e) {
    EXPECT_NE(std::string(e.what()).find("500"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("boom"), std::string::npos);
  }
  EXPECT_EQ(server_->requests().size(), 3u);  // max_attempts
}

TEST_F(OpenAiProviderTest, ACallersFault4xxIsRejectedAtOnceWithTheProvidersReason) {
  serve([](const TestServer::Request&) {
    return Json("{\"error\":{\"message\":\"The model `gpt-9` does not exist\"}}", 404);
  });
  try {
    text(article_request());
    FAIL() << "no exception";
  } catch (const ProviderRejected& e) {
    EXPECT_EQ(e.status, 404);
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
  }
  EXPECT_EQ(server_->requests().size(), 1u);
}

TEST_F(OpenAiProviderTest, ABadKeyIsRejectedAndTheKeyNeverAppearsInTheError) {
  serve([](const TestServer::Request& r) {
    // Some servers echo what they got; our message must still not carry the key.
    return Json("{\"error\":{\"message\":\"Incorrect API key provided: " +
                    r.headers.at("authorization") + "\"}}",
                401);
  });
  try {
    text(article_request());
    FAIL() << "no exception";
  } catch (const ProviderRejected& e) {
    EXPECT_EQ(e.status, 401);
    EXPECT_EQ(std::string(e.what()).find(kKey), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("[redacted]"), std::string::npos);
  }
  serve([](const TestServer::Request&) { return Json("{}", 400); });
  EXPECT_THROW(text(article_request()), ProviderRejected);
  EXPECT_EQ(server_->requests().size(), 1u);
}

TEST_F(OpenAiProviderTest, ASilentServerIsProviderTransientAtTheConfiguredTimeout) {
  serve([](const TestServer::Request&) { return Hang(); });
  auto s = settings();
  s.timeout = 400ms;
  const auto start = Clock::now();
  EXPECT_THROW(text(article_request(), s), ProviderTransient);
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_TRUE(server_->wait_closed(1));  // the hung connection was closed, not leaked
}

TEST_F(OpenAiProviderTest, AHungConnectionEndsAtTheRequestsOwnDeadline) {
  serve([](const TestServer::Request&) { return Hang(); });
  auto req = article_request();
  req.deadline = Clock::now() + 300ms;  // earlier than the configured 10 s
  const auto start = Clock::now();
  try {
    text(req);
    FAIL() << "no exception";
  } catch (const ProviderTransient& e) {
    EXPECT_NE(std::string(e.what()).find("deadline"), std::string::npos);
  }
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_TRUE(server_->wait_closed(1));
}

TEST_F(OpenAiProviderTest, NobodyListeningIsProviderTransient) {
  serve([](const TestServer::Request&) { return Json("{}"); });
  auto s = settings();
  s.base_url = "http://127.0.0.1:1/v1";
  s.max_attempts = 1;
  EXPECT_THROW(text(article_request(), s), ProviderTransient);
}

TEST_F(OpenAiProviderTest, AnswersWeCannotUseAreInvalidResponses) {
  std::string answer;
  serve([&](const TestServer::Request&) { return Json(answer); });
  for (std::string a : {std::string("this is not json"), std::string("[]"),
                        std::string("{\"object\":\"chat.completion\"}"),  // no choices
                        std::string("{\"choices\":[]}"), std::string("{\"choices\":[1]}"),
                        std::string("{\"choices\":[{\"message\":{\"content\":null}}]}")}) {
    answer = a;
    EXPECT_THROW(text(article_request()), ProviderInvalidResponse) << a;
  }
  answer = "{\"choices\":[{\"message\":{\"content\":null,\"refusal\":\"I can't help\"}}]}";
  try {
    text(article_request());
    FAIL() << "no exception";
  } catch (const ProviderInvalidResponse& e) {
    EXPECT_NE(std::string(e.what()).find("I can't help"), std::string::npos);
  }
}

TEST_F(OpenAiProviderTest, MissingUsageCountsZeroTokens) {
  serve([](const TestServer::Request&) {
    return Json("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"{}\"}}]}");
  });
  auto r = text(article_request());
  EXPECT_EQ(r.text, "{}");
  EXPECT_EQ(r.prompt_tokens, 0);
  EXPECT_EQ(r.completion_tokens, 0);
  EXPECT_EQ(r.model, "gpt-4o-mini");  // the requested one when the answer names none
}

TEST_F(OpenAiProviderTest, TheFactoryPicksOpenAiWhenABaseUrlIsSetElseTemplate) {
  serve([](const TestServer::Request&) { return Json(completion("{}")); });
  EXPECT_EQ(make_text_generator(settings(), *http_)->name(), "openai");
  EXPECT_EQ(make_image_generator(settings(), *http_)->name(), "openai");
  EXPECT_EQ(make_text_generator(AiSettings{}, *http_)->name(), "template");
  EXPECT_EQ(make_image_generator(AiSettings{}, *http_)->name(), "template");
  auto local = settings();
  local.image_provider = "template";  // a text-only local server
  EXPECT_EQ(make_text_generator(local, *http_)->name(), "openai");
  EXPECT_EQ(make_image_generator(local, *http_)->name(), "template");
}

}  // namespace
}  // namespace autoblog::content::providers
