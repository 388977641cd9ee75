#pragma once
// The `template` provider: offline and deterministic, the default when no AI endpoint is
// configured. It exists so that the whole pipeline runs end to end with nothing configured (a
// fresh install, tests, demos); it does not pretend to be a model:
//   - text: composes the answer the task asks for from TextRequest::inputs (DraftInputs), never
//     from the prompt text: for kArticle {title, slug, meta_description, outline,
//     body_markdown, keywords, provider: "template"} with one "## " section per outline entry
//     (the brief's outline, else five stock headings built from the topic and keywords); for
//     kBrief {angle, audience, outline, keywords, provider: "template"}. The body ends with a
//     line saying it was written by the template provider;
//   - image: an SVG placeholder of the requested size, coloured from the request, showing the
//     title and the words "template placeholder".
// Same inputs, same bytes: no clock, no randomness. Results say provider "template", model
// "template", zero tokens (nothing was spent). Thread-safe: no state.
#include "content/providers/image_generator.h"
#include "content/providers/text_generator.h"

namespace autoblog::content::providers {

class TemplateTextGenerator final : public TextGenerator {
 public:
  // `latency`: how long each answer takes, as if a model were thinking (0 = at once).
  explicit TemplateTextGenerator(std::chrono::milliseconds latency = {}) : latency_(latency) {}
  std::string_view name() const override { return "template"; }
  boost::asio::awaitable<TextResult> generate(TextRequest request) override;

 private:
  std::chrono::milliseconds latency_;
};

class TemplateImageGenerator final : public ImageGenerator {
 public:
  std::string_view name() const override { return "template"; }
  boost::asio::awaitable<ImageResult> generate(ImageRequest request) override;
};

// The synchronous cores of the two generators (for callers and benchmarks outside coroutines).
TextResult template_text(const TextRequest& request);
ImageResult template_image(const ImageRequest& request);

}  // namespace autoblog::content::providers
