#pragma once
// The `openai` provider: any OpenAI-compatible API (OpenAI itself, or a local llama.cpp server,
// vLLM, Ollama) on the process's one net::HttpClient.
//   text:  POST {base}/chat/completions  {model, messages, response_format json_object,
//                                          max_tokens}; usage read from `usage`
//   image: POST {base}/images/generations {model, prompt, n: 1, size, quality,
//                                          response_format b64_json}
// Every call: Authorization: Bearer <api key> when one is configured (never logged, never in an
// error message); the connect timeout per attempt; one total deadline covering every retry;
// retries of 429 and 5xx and of lost connections through the client's RetryPolicy, honouring
// Retry-After up to settings.max_retry_after; anything longer is ProviderRateLimited.
//
// Retrying a POST is safe here: a completion or an image request changes nothing on the
// provider's side, so a repeat can cost tokens twice but can never create a second anything;
// the official OpenAI client libraries retry the same requests for the same reason.
//
// The base URL is operator configuration and trusted: it may point at loopback or a private
// network (a model server next to the workers), so the tenant egress policy does not apply.
//
// Thread-safe: no mutable state; the HttpClient must outlive the generator.
#include <memory>

#include "content/providers/image_generator.h"
#include "content/providers/settings.h"
#include "content/providers/text_generator.h"

namespace autoblog::net {
class HttpClient;
}

namespace autoblog::content::providers {

class OpenAiTextGenerator final : public TextGenerator {
 public:
  // settings.base_url must be set (and validated).
  OpenAiTextGenerator(AiSettings settings, net::HttpClient& http);
  std::string_view name() const override { return "openai"; }
  boost::asio::awaitable<TextResult> generate(TextRequest request) override;

 private:
  AiSettings settings_;
  net::HttpClient& http_;
};

class OpenAiImageGenerator final : public ImageGenerator {
 public:
  OpenAiImageGenerator(AiSettings settings, net::HttpClient& http);
  std::string_view name() const override { return "openai"; }
  boost::asio::awaitable<ImageResult> generate(ImageRequest request) override;

 private:
  AiSettings settings_;
  net::HttpClient& http_;
};

}  // namespace autoblog::content::providers
