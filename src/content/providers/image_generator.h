#pragma once
// ImageGenerator: the edge between the content engine and an image model. Two implementations
// (make_image_generator in factory.h): `openai` (POST {base}/images/generations, b64_json) and
// `template` (an SVG placeholder). Failures are the typed errors of providers/errors.h.
// Implementations are thread-safe: one instance serves every worker coroutine concurrently.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::content::providers {

struct ImageRequest {
  std::string prompt;
  std::string quality = "standard";  // "standard" | "hd" (select_model(...).image_quality)
  std::string size = "1024x1024";
  std::string model;  // empty = the provider's configured image model
  std::string title;  // shown on the template provider's placeholder; ignored by models
  // The whole call's deadline, retries included; unset = the provider's configured timeout.
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct ImageResult {
  std::string bytes;         // the decoded image
  std::string content_type;  // image/png, image/jpeg, image/webp, image/svg+xml
  std::string provider;      // "openai" or "template"
  std::string model;
  int attempts = 1;  // HTTP requests made (retries included), for ProviderBudget::settle
};

class ImageGenerator {
 public:
  virtual ~ImageGenerator() = default;
  virtual std::string_view name() const = 0;
  virtual boost::asio::awaitable<ImageResult> generate(ImageRequest request) = 0;
};

}  // namespace autoblog::content::providers
