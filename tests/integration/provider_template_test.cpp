// The offline `template` provider (deterministic drafts and placeholder images), model and
// image-quality selection, slugs, and the AUTOBLOG_AI_* settings as config reads and validates
// them. No services needed.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <map>
#include <pugixml.hpp>
#include <sstream>
#include <string>

#include "app/config.h"
#include "content/providers/model_selection.h"
#include "content/providers/slug.h"
#include "content/providers/template_provider.h"

namespace autoblog::content::providers {
namespace {

namespace json = boost::json;

DraftInputs sourdough() {
  DraftInputs in;
  in.brand_name = "Crumb & Co";
  in.topic = "Sourdough baking at home";
  in.audience = "home bakers";
  in.topics = {"baking", "bread"};
  in.keywords = {"sourdough starter", "hydration", "proofing"};
  in.voice = "warm, practical";
  return in;
}

json::object article_of(const DraftInputs& in) {
  TextRequest r;
  r.inputs = in;
  auto result = template_text(r);
  EXPECT_EQ(result.provider, "template");
  EXPECT_EQ(result.model, "template");
  EXPECT_EQ(result.prompt_tokens + result.completion_tokens, 0);
  return json::parse(result.text).as_object();
}

int count_words(const std::string& s) {
  std::istringstream in(s);
  std::string w;
  int n = 0;
  while (in >> w) ++n;
  return n;
}

TEST(TemplateProvider, ArticleHasEveryFieldAndSaysItIsTheTemplate) {
  auto a = article_of(sourdough());
  for (const char* key :
       {"title", "slug", "meta_description", "outline", "body_markdown", "keywords", "provider"})
    EXPECT_TRUE(a.contains(key)) << key;
  EXPECT_EQ(a["provider"].as_string(), "template");
  EXPECT_EQ(a["title"].as_string(), "Sourdough baking at home");
  EXPECT_EQ(a["slug"].as_string(), "sourdough-baking-at-home");
  const std::string meta(a["meta_description"].as_string());
  EXPECT_GE(meta.size(), 120u) << meta;
  EXPECT_LE(meta.size(), 156u) << meta;
  EXPECT_NE(meta.find("sourdough starter"), std::string::npos);
  const std::string body(a["body_markdown"].as_string());
  // One "## " section per outline entry (five stock headings without a brief).
  auto& outline = a["outline"].as_array();
  EXPECT_EQ(outline.size(), 5u);
  std::size_t headings = 0;
  for (auto at = body.find("\n## "); at != std::string::npos; at = body.find("\n## ", at + 1))
    ++headings;
  EXPECT_EQ(headings, outline.size());
  for (const auto& h : outline)
    EXPECT_NE(body.find("## " + std::string(h.as_string())), std::string::npos);
  for (const char* kw : {"sourdough starter", "hydration", "proofing"})
    EXPECT_NE(body.find(kw), std::string::npos) << kw;
  EXPECT_NE(body.find("template provider"), std::string::npos);
  EXPECT_NE(body.find("home bakers"), std::string::npos);
  EXPECT_GE(count_words(body), 300);
  EXPECT_EQ(a["keywords"].as_array().size(), 3u);
}

TEST(TemplateProvider, SameInputsSameBytesAndDifferentInputsDifferentDrafts) {
  TextRequest r;
  r.inputs = sourdough();
  r.user_prompt = "ignored by the template";
  const auto first = template_text(r).text;
  r.user_prompt = "something else entirely";
  r.model = "gpt-4o";
  EXPECT_EQ(template_text(r).text, first);
  r.inputs.topic = "Rye bread for beginners";
  EXPECT_NE(template_text(r).text, first);
}

TEST(TemplateProvider, TheBriefsOutlineBecomesTheSections) {
  auto in = sourdough();
  in.outline = {"Feeding your starter", "Mixing the dough", "Baking day"};
  in.angle = "Bake a good loaf on your first try.";
  auto a = article_of(in);
  EXPECT_EQ(a["outline"].as_array().size(), 3u);
  const std::string body(a["body_markdown"].as_string());
  EXPECT_TRUE(body.starts_with("Bake a good loaf on your first try."));
  EXPECT_NE(body.find("## Mixing the dough"), std::string::npos);
}

TEST(TemplateProvider, EmptyInputsStillGiveACompleteDraft) {
  auto a = article_of(DraftInputs{});
  EXPECT_FALSE(a["title"].as_string().empty());
  EXPECT_FALSE(a["slug"].as_string().empty());
  EXPECT_FALSE(a["keywords"].as_array().empty());
  EXPECT_NE(a["body_markdown"].as_string().find("## "), std::string::npos);
}

TEST(TemplateProvider, LongTitlesAreCutAtAWordWithinSixtyCharacters) {
  auto in = sourdough();
  in.topic =
      "An extraordinarily long headline about sourdough baking that goes on and on "
      "\xc3\xa9\xc3\xa9\xc3\xa9";
  auto a = article_of(in);
  const std::string title(a["title"].as_string());
  EXPECT_LE(title.size(), 60u);
  EXPECT_NE(title.back(), ' ');
  EXPECT_LE(a["slug"].as_string().size(), 80u);
}

TEST(TemplateProvider, BriefTaskAnswersTheBriefShape) {
  TextRequest r;
  r.task = TextTask::kBrief;
  r.inputs = sourdough();
  auto b = json::parse(template_text(r).text).as_object();
  for (const char* key : {"angle", "audience", "outline", "keywords", "provider"})
    EXPECT_TRUE(b.contains(key)) << key;
  EXPECT_EQ(b["audience"].as_string(), "home bakers");
  EXPECT_FALSE(b["outline"].as_array().empty());
  EXPECT_EQ(b["provider"].as_string(), "template");
}

TEST(TemplateProvider, GeneratorsAnswerThroughTheInterfaces) {
  boost::asio::io_context ioc;
  TemplateTextGenerator text;
  TemplateImageGenerator image;
  EXPECT_EQ(text.name(), "template");
  TextRequest r;
  r.inputs = sourdough();
  auto f = boost::asio::co_spawn(ioc, text.generate(r), boost::asio::use_future);
  ImageRequest ir;
  ir.title = "Sourdough";
  auto g = boost::asio::co_spawn(ioc, image.generate(ir), boost::asio::use_future);
  ioc.run();
  EXPECT_EQ(f.get().text, template_text(r).text);
  EXPECT_EQ(g.get().bytes, template_image(ir).bytes);
}

TEST(TemplateProvider, PlaceholderImageIsAWellFormedDeterministicSvgThatEscapesItsText) {
  ImageRequest r;
  r.title = "Bread & butter <script>alert(1)</script> \"quoted\"";
  r.prompt = "a loaf";
  r.size = "1792x1024";
  auto img = template_image(r);
  EXPECT_EQ(img.content_type, "image/svg+xml");
  EXPECT_EQ(img.provider, "template");
  EXPECT_EQ(template_image(r).bytes, img.bytes);
  EXPECT_EQ(img.bytes.find("<script"), std::string::npos);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(img.bytes.c_str())) << img.bytes;
  auto svg = doc.child("svg");
  EXPECT_STREQ(svg.attribute("width").value(), "1792");
  EXPECT_STREQ(svg.attribute("height").value(), "1024");
  EXPECT_NE(std::string(svg.child("title").text().get()).find("<script>"), std::string::npos);
  EXPECT_NE(img.bytes.find("template placeholder"), std::string::npos);
  r.title = "Another title";
  EXPECT_NE(template_image(r).bytes, img.bytes);
}

TEST(Slug, LowerCaseAsciiWordsJoinedByHyphens) {
  EXPECT_EQ(slugify("Hello, World!"), "hello-world");
  EXPECT_EQ(slugify("  What's new in C++20?  "), "whats-new-in-c-20");
  EXPECT_EQ(slugify("Caf\xc3\xa9 culture"), "caf-culture");
  EXPECT_EQ(slugify("---"), "");
  EXPECT_EQ(slugify("one two three four", 9), "one-two");
  EXPECT_EQ(slugify("abcdefghijkl", 5), "abcde");
}

// ---- model and image quality ----

tenancy::Tenant tenant(tenancy::Tier tier, std::string limits_json = "{}") {
  tenancy::Tenant t;
  t.tier = tier;
  t.limits_json = std::move(limits_json);
  t.limits = tenancy::compute_limits(tier, t.limits_json);
  return t;
}

TEST(ModelSelection, TierDefaults) {
  AiSettings s;
  auto starter = select_model(tenant(tenancy::Tier::kStarter), s);
  EXPECT_EQ(starter.text_model, "gpt-4o-mini");
  EXPECT_EQ(starter.image_quality, "standard");
  EXPECT_EQ(starter.image_model, "dall-e-3");
  for (auto tier : {tenancy::Tier::kGrowth, tenancy::Tier::kEnterprise}) {
    auto c = select_model(tenant(tier), s);
    EXPECT_EQ(c.text_model, "gpt-4o");
    EXPECT_EQ(c.image_quality, "hd");
  }
}

TEST(ModelSelection, TenantOverridesThenTierSettingThenGlobalSettingThenDefault) {
  AiSettings s;
  s.model = "llama3.1";
  EXPECT_EQ(select_model(tenant(tenancy::Tier::kGrowth), s).text_model, "llama3.1");
  s.model_growth = "qwen2.5:14b";
  EXPECT_EQ(select_model(tenant(tenancy::Tier::kGrowth), s).text_model, "qwen2.5:14b");
  EXPECT_EQ(select_model(tenant(tenancy::Tier::kStarter), s).text_model, "llama3.1");
  // A tenant pinned to a model keeps it, even to the tier's default name.
  EXPECT_EQ(select_model(tenant(tenancy::Tier::kGrowth, R"({"ai_model":"gpt-4o"})"), s).text_model,
            "gpt-4o");
  s.image_quality = "standard";
  EXPECT_EQ(select_model(tenant(tenancy::Tier::kEnterprise), s).image_quality, "standard");
  EXPECT_EQ(
      select_model(tenant(tenancy::Tier::kStarter, R"({"image_quality":"hd"})"), s).image_quality,
      "hd");
}

// ---- settings ----

app::Config config_of(std::map<std::string, std::string> vars) {
  return app::config_from_env([vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

TEST(AiSettings, ReadFromTheEnvironment) {
  auto c = config_of({{"AUTOBLOG_AI_BASE_URL", "http://127.0.0.1:11434/v1"},
                      {"AUTOBLOG_AI_API_KEY", "k"},
                      {"AUTOBLOG_AI_MODEL", "llama3.1"},
                      {"AUTOBLOG_AI_MODEL_ENTERPRISE", "llama3.1:70b"},
                      {"AUTOBLOG_AI_IMAGE_QUALITY", "standard"},
                      {"AUTOBLOG_AI_TIMEOUT_MS", "60000"},
                      {"AUTOBLOG_AI_MAX_ATTEMPTS", "2"},
                      {"AUTOBLOG_AI_REQUESTS_PER_MINUTE", "5"},
                      {"AUTOBLOG_AI_TOKENS_PER_MINUTE", "30000"},
                      {"AUTOBLOG_AI_BURST", "5"}});
  EXPECT_EQ(c.ai.base_url, "http://127.0.0.1:11434/v1");
  EXPECT_EQ(c.ai.model, "llama3.1");
  EXPECT_EQ(c.ai.model_enterprise, "llama3.1:70b");
  EXPECT_EQ(c.ai.timeout, std::chrono::milliseconds(60000));
  EXPECT_EQ(c.ai.max_attempts, 2);
  EXPECT_EQ(c.ai.limits.requests_per_minute, 5);
  EXPECT_EQ(c.ai.limits.tokens_per_minute, 30000);
  EXPECT_EQ(c.ai.limits.burst, 5);
  EXPECT_NO_THROW(validate(c.ai));
  EXPECT_EQ(provider_name(c.ai), "openai");
  // Empty means unset: the template provider.
  EXPECT_EQ(provider_name(config_of({{"AUTOBLOG_AI_BASE_URL", ""}}).ai), "template");
}

TEST(AiSettings, BadValuesAreConfigErrorsNamingTheSetting) {
  auto refused = [](std::map<std::string, std::string> vars) -> std::string {
    try {
      auto c = config_of(vars);
      c.listen = "127.0.0.1:0";
      app::validate(c);
    } catch (const app::ConfigError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(refused({{"AUTOBLOG_AI_BASE_URL", "ftp://x/v1"}}).find("AUTOBLOG_AI_BASE_URL"),
            std::string::npos);
  EXPECT_NE(refused({{"AUTOBLOG_AI_BASE_URL", "not a url"}}).find("AUTOBLOG_AI_BASE_URL"),
            std::string::npos);
  EXPECT_NE(refused({{"AUTOBLOG_AI_BASE_URL", "https://x/v1?key=1"}}), "");
  EXPECT_NE(refused({{"AUTOBLOG_AI_BASE_URL", "https://user:pw@x/v1"}}), "");
  EXPECT_NE(refused({{"AUTOBLOG_AI_IMAGE_QUALITY", "ultra"}}), "");
  EXPECT_NE(refused({{"AUTOBLOG_AI_IMAGE_SIZE", "big"}}), "");
  EXPECT_NE(refused({{"AUTOBLOG_AI_IMAGE_PROVIDER", "midjourney"}}), "");
  EXPECT_NE(refused({{"AUTOBLOG_AI_IMAGE_PROVIDER", "openai"}}), "");  // no endpoint
  EXPECT_EQ(refused({{"AUTOBLOG_AI_BASE_URL", "http://127.0.0.1:11434/v1"},
                     {"AUTOBLOG_AI_IMAGE_PROVIDER", "template"}}),
            "");
  EXPECT_NE(refused({{"AUTOBLOG_AI_MAX_ATTEMPTS", "0"}}), "");
  EXPECT_NE(refused({{"AUTOBLOG_AI_REQUESTS_PER_MINUTE", "-1"}}), "");
  EXPECT_NE(refused({{"AUTOBLOG_AI_BURST", "0"}}), "");
  EXPECT_EQ(refused({{"AUTOBLOG_AI_BASE_URL", "https://api.openai.com/v1"}}), "");
  EXPECT_EQ(refused({}), "");
}

}  // namespace
}  // namespace autoblog::content::providers
