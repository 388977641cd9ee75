#include "content/providers/openai_provider.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <utility>

#include "content/providers/errors.h"
#include "net/http_client.h"
#include "util/base64.h"

namespace autoblog::content::providers {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxTextResponseBytes = 8u << 20;
// An HD image as base64 inside JSON is a few MB; leave room for larger sizes.
constexpr std::size_t kMaxImageResponseBytes = 64u << 20;
// Provider error texts are quoted in our messages, cut to this length.
constexpr std::size_t kMaxQuotedError = 300;

std::string endpoint(const AiSettings& s, std::string_view path) {
  std::string base = *s.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + std::string(path);
}

// The provider's own explanation from an OpenAI-style error body ({"error": {"message": ...}}),
// or the start of the body; never more than kMaxQuotedError characters, and never the API key
// (some servers echo the credentials they were sent).
std::string quoted_error(const std::string& body, const std::string& api_key) {
  std::string text;
  json::error_code ec;
  auto v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    if (auto* e = v.as_object().if_contains("error")) {
      if (e->is_object()) {
        if (auto* m = e->as_object().if_contains("message"); m && m->is_string())
          text = std::string(m->as_string());
      } else if (e->is_string()) {
        text = std::string(e->as_string());
      }
    }
  }
  if (text.empty()) text = body;
  if (api_key.size() >= 4) {
    for (auto at = text.find(api_key); at != std::string::npos; at = text.find(api_key, at))
      text.replace(at, api_key.size(), "[redacted]");
  }
  if (text.size() > kMaxQuotedError) text = text.substr(0, kMaxQuotedError) + "...";
  return text;
}

// How long a provider that answered 429 asks us to wait: Retry-After (seconds or a date), or
// OpenAI's retry-after-ms; without either, the longest wait we would have made in place.
std::chrono::milliseconds rate_limit_wait(const net::HttpResponse& r, const AiSettings& s) {
  if (auto ms = r.header("retry-after-ms"); !ms.empty()) {
    try {
      double v = std::stod(ms);
      if (v >= 0) return std::chrono::milliseconds(static_cast<std::int64_t>(v));
    } catch (const std::exception&) {
    }
  }
  if (auto ra = r.header("retry-after"); !ra.empty()) {
    if (auto wait = net::parse_retry_after(ra, std::chrono::system_clock::now())) return *wait;
  }
  return std::max(s.max_retry_after, std::chrono::milliseconds(1000));
}

// One POST with the settings' timeouts and retries; every failure becomes a provider error.
boost::asio::awaitable<net::HttpResponse> post_json(net::HttpClient& http, const AiSettings& s,
                                                    std::string_view path, std::string body,
                                                    std::optional<Clock::time_point> deadline,
                                                    std::size_t max_bytes) {
  net::HttpRequest r;
  r.method = "POST";
  r.url = endpoint(s, path);
  r.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  if (!s.api_key.empty()) r.headers.emplace_back("Authorization", "Bearer " + s.api_key);
  r.body = std::move(body);
  auto& o = r.options;
  o.connect_timeout = s.connect_timeout;
  const auto configured = Clock::now() + s.timeout;
  o.deadline = deadline ? std::min(*deadline, configured) : configured;
  o.max_response_bytes = max_bytes;
  o.max_redirects = 0;
  o.retry.max_attempts = s.max_attempts;
  o.retry.base_delay = std::chrono::milliseconds(500);
  o.retry.max_delay = std::chrono::milliseconds(8000);
  o.retry.max_retry_after = s.max_retry_after;
  o.retry.non_idempotent = true;  // see the header: a repeat is safe
  o.egress = [](const boost::asio::ip::address&) { return true; };  // operator-configured
  o.throw_on_http_error = false;  // we read the status and headers ourselves

  const std::string what = "AI provider (POST " + r.url + ")";
  net::HttpResponse response;
  try {
    response = co_await http.send(std::move(r));
  } catch (const net::Timeout&) {
    throw ProviderTransient(what + ": no answer before the deadline");
  } catch (const net::ConnectFailed& e) {
    throw ProviderTransient(what + ": cannot connect: " + e.what());
  } catch (const net::ResponseTooLarge& e) {
    throw ProviderInvalidResponse(what + ": the answer is larger than " +
                                  std::to_string(max_bytes >> 20) + " MB");
  } catch (const net::InvalidRequest& e) {
    throw ProviderRejected(what + ": " + e.what());
  } catch (const net::EgressRefused& e) {
    throw ProviderRejected(what + ": " + e.what());
  } catch (const net::Error& e) {
    throw ProviderTransient(what + ": " + e.what());
  }
  const long status = response.status;
  const std::string attempts = " after " + std::to_string(response.attempts) + " attempt" +
                               (response.attempts == 1 ? "" : "s");
  if (status >= 200 && status < 300) co_return response;
  if (status == 429)
    throw ProviderRateLimited(
        what + ": rate limited (429)" + attempts + ": " + quoted_error(response.body, s.api_key),
        rate_limit_wait(response, s));
  // 408 (the server timed out waiting) and 409 (a conflict on the provider's side) are
  // worth another try later, like a 5xx.
  if (status >= 500 || status == 408 || status == 409)
    throw ProviderTransient(what + ": answered " + std::to_string(status) + attempts + ": " +
                            quoted_error(response.body, s.api_key));
  throw ProviderRejected(
      what + ": answered " + std::to_string(status) + ": " + quoted_error(response.body, s.api_key),
      status);
}

json::object parse_object(const std::string& body, const std::string& what) {
  json::error_code ec;
  auto v = json::parse(body, ec);
  if (ec) throw ProviderInvalidResponse(what + ": the answer is not JSON (" + ec.message() + ")");
  if (!v.is_object()) throw ProviderInvalidResponse(what + ": the answer is not a JSON object");
  return std::move(v.as_object());
}

std::int64_t token_count(const json::object& usage, const char* key) {
  auto* p = usage.if_contains(key);
  if (!p) return 0;
  json::error_code ec;
  auto n = p->to_number<std::int64_t>(ec);
  return ec || n < 0 ? 0 : n;
}

std::string sniff_image_type(const std::string& bytes) {
  auto starts = [&](std::string_view magic) { return bytes.starts_with(magic); };
  if (starts("\x89PNG\r\n\x1a\n")) return "image/png";
  if (starts("\xff\xd8\xff")) return "image/jpeg";
  if (bytes.size() >= 12 && starts("RIFF") && bytes.compare(8, 4, "WEBP") == 0) return "image/webp";
  if (starts("GIF87a") || starts("GIF89a")) return "image/gif";
  return "";
}

}  // namespace

OpenAiTextGenerator::OpenAiTextGenerator(AiSettings settings, net::HttpClient& http)
    : settings_(std::move(settings)), http_(http) {}

boost::asio::awaitable<TextResult> OpenAiTextGenerator::generate(TextRequest request) {
  json::object body;
  body["model"] = request.model;
  json::array messages;
  if (!request.system_prompt.empty())
    messages.push_back(json::object{{"role", "system"}, {"content", request.system_prompt}});
  messages.push_back(json::object{{"role", "user"}, {"content", request.user_prompt}});
  body["messages"] = std::move(messages);
  if (request.want_json_object) body["response_format"] = json::object{{"type", "json_object"}};
  if (request.max_tokens > 0) body["max_tokens"] = request.max_tokens;

  auto response = co_await post_json(http_, settings_, "/chat/completions", json::serialize(body),
                                     request.deadline, kMaxTextResponseBytes);
  const std::string what = "AI provider (chat completion)";
  auto doc = parse_object(response.body, what);
  auto* choices = doc.if_contains("choices");
  if (!choices || !choices->is_array() || choices->as_array().empty())
    throw ProviderInvalidResponse(what + ": the answer has no choices");
  const auto& first = choices->as_array().front();
  const json::object* message = nullptr;
  if (first.is_object()) {
    if (auto* m = first.as_object().if_contains("message"); m && m->is_object())
      message = &m->as_object();
  }
  if (!message) throw ProviderInvalidResponse(what + ": the first choice has no message");
  auto* content = message->if_contains("content");
  if (!content || !content->is_string()) {
    if (auto* refusal = message->if_contains("refusal"); refusal && refusal->is_string())
      throw ProviderInvalidResponse(
          what + ": the model refused: " +
          quoted_error(std::string(refusal->as_string()), settings_.api_key));
    throw ProviderInvalidResponse(what + ": the message has no text content");
  }

  TextResult result;
  result.text = std::string(content->as_string());
  result.provider = "openai";
  result.attempts = response.attempts;
  result.model = request.model;
  if (auto* m = doc.if_contains("model"); m && m->is_string() && !m->as_string().empty())
    result.model = std::string(m->as_string());
  if (auto* f = first.as_object().if_contains("finish_reason"); f && f->is_string())
    result.finish_reason = std::string(f->as_string());
  if (auto* usage = doc.if_contains("usage"); usage && usage->is_object()) {
    result.prompt_tokens = token_count(usage->as_object(), "prompt_tokens");
    result.completion_tokens = token_count(usage->as_object(), "completion_tokens");
  }
  co_return result;
}

OpenAiImageGenerator::OpenAiImageGenerator(AiSettings settings, net::HttpClient& http)
    : settings_(std::move(settings)), http_(http) {}

boost::asio::awaitable<ImageResult> OpenAiImageGenerator::generate(ImageRequest request) {
  const std::string model = request.model.empty() ? settings_.image_model : request.model;
  json::object body{{"model", model},
                    {"prompt", request.prompt},
                    {"n", 1},
                    {"size", request.size.empty() ? settings_.image_size : request.size},
                    {"quality", request.quality},
                    {"response_format", "b64_json"}};
  auto response = co_await post_json(http_, settings_, "/images/generations", json::serialize(body),
                                     request.deadline, kMaxImageResponseBytes);
  const std::string what = "AI provider (image generation)";
  auto doc = parse_object(response.body, what);
  auto* data = doc.if_contains("data");
  if (!data || !data->is_array() || data->as_array().empty() ||
      !data->as_array().front().is_object())
    throw ProviderInvalidResponse(what + ": the answer has no data");
  const auto& item = data->as_array().front().as_object();
  auto* b64 = item.if_contains("b64_json");
  if (!b64 || !b64->is_string())
    throw ProviderInvalidResponse(what + ": the answer has no b64_json image" +
                                  (item.contains("url") ? " (it sent a URL instead)" : ""));
  auto bytes = util::base64_decode(b64->as_string());
  if (!bytes) throw ProviderInvalidResponse(what + ": b64_json is not valid base64");
  if (bytes->empty()) throw ProviderInvalidResponse(what + ": the image is empty");

  ImageResult result;
  result.content_type = sniff_image_type(*bytes);
  // Never store bytes we cannot name: they would be served with a guessed type.
  if (result.content_type.empty())
    throw ProviderInvalidResponse(what + ": the image is not PNG, JPEG, WebP or GIF");
  result.bytes = std::move(*bytes);
  result.provider = "openai";
  result.model = model;
  result.attempts = response.attempts;
  co_return result;
}

}  // namespace autoblog::content::providers
