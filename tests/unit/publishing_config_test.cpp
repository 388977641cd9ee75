// Webhook signing (the Standard Webhooks reference vector), publishing_config checks, the
// write-only secrets of a brand and the delivery payload.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "content/brand_secrets.h"
#include "content/errors.h"
#include "publishing/delivery.h"
#include "publishing/rules.h"
#include "publishing/target_config.h"
#include "publishing/webhook_target.h"

namespace {

namespace json = boost::json;
using namespace autoblog;

constexpr std::string_view kVectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::string problem_of(std::string_view config) {
  try {
    publishing::check_publishing_config(json::parse(config));
    return "ok";
  } catch (const content::InvalidInput& e) {
    return e.what();
  }
}

TEST(WebhookSignature, ReproducesTheStandardWebhooksReferenceVector) {
  auto key = publishing::webhook_signing_key(kVectorSecret);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), 24u);
  EXPECT_EQ(publishing::webhook_signature(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
                                          R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  // Any change to the id, the timestamp or the body changes the signature.
  EXPECT_NE(publishing::webhook_signature(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265331",
                                          R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignature, SecretsMustBePrefixedBase64OfSixteenToSixtyFourBytes) {
  EXPECT_FALSE(publishing::webhook_signing_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  EXPECT_FALSE(publishing::webhook_signing_key("whsec_c2hvcnQ="));  // 5 bytes
  EXPECT_FALSE(publishing::webhook_signing_key("whsec_not base64!"));
  EXPECT_FALSE(publishing::webhook_signing_key("whsec_" + std::string(100, 'A')));  // 75 bytes
  EXPECT_TRUE(publishing::webhook_signing_key("whsec_" + std::string(24, 'A')));    // 18 bytes
}

TEST(PublishingConfig, AcceptsTheDocumentedShapes) {
  EXPECT_EQ(problem_of("null"), "ok");
  EXPECT_EQ(problem_of(R"({"auto_approve": true})"), "ok");
  EXPECT_EQ(problem_of(R"({"targets": [{"type": "hosted"}, {"type": "webhook",
      "url": "https://hooks.example/x?a=1", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "previous_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "disabled": {"reason": "410"},
      "note": "kept"}]})"),
            "ok");
}

TEST(PublishingConfig, RefusesWithTheFieldNamed) {
  EXPECT_EQ(problem_of("[]"), "publishing_config must be an object");
  EXPECT_EQ(problem_of(R"({"auto_approve": "yes"})"),
            "publishing_config.auto_approve must be true or false");
  EXPECT_EQ(problem_of(R"({"targets": {}})"), "publishing_config.targets must be an array");
  EXPECT_EQ(problem_of(R"({"targets": [{"type": "fax"}]})"),
            "publishing_config.targets[0].type must be one of hosted, webhook, wordpress, ghost");
  EXPECT_EQ(problem_of(R"({"targets": [{"type": "hosted"}, 7]})"),
            "publishing_config.targets[1] must be an object with a string \"type\"");
  auto webhook = [](std::string fields) {
    return problem_of(R"({"targets": [{"type": "webhook", )" + fields + "}]}");
  };
  const std::string secret = R"("secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")";
  for (auto url : {"ftp://h.example/", "https://u:p@h.example/", "https://h.example/#x",
                   "/relative", "https://"}) {
    EXPECT_NE(webhook(R"("url": ")" + std::string(url) + "\", " + secret).find(".url must be"),
              std::string::npos)
        << url;
  }
  EXPECT_NE(webhook(R"("url": "https://h.example/")").find("secret is required"),
            std::string::npos);
  EXPECT_NE(webhook(R"("url": "https://h.example/", "secret": "x")").find("secret must be"),
            std::string::npos);
  EXPECT_NE(webhook(R"("url": "https://h.example/", )" + secret + R"(, "previous_secret": 1)")
                .find("previous_secret must be"),
            std::string::npos);
  std::string many = R"({"targets": [)";
  for (int i = 0; i < 11; ++i) many += std::string(i ? "," : "") + R"({"type": "hosted"})";
  EXPECT_EQ(problem_of(many + "]}"), "publishing_config.targets may list at most 10 targets");
}

TEST(BrandSecrets, RedactsOnlySecretFieldsOfTheirTypes) {
  auto config = json::parse(R"({"targets": [
      {"type": "webhook", "url": "u", "secret": "s1", "previous_secret": "s0"},
      {"type": "wordpress", "site": "w", "username": "bot", "application_password": "p"},
      {"type": "ghost", "admin_url": "g", "admin_key": "k"},
      {"type": "hosted", "secret": "not one of ours"}]})");
  content::redact_secrets(config);
  EXPECT_EQ(json::serialize(config), json::serialize(json::parse(R"({"targets": [
      {"type": "webhook", "url": "u", "secret": "***", "previous_secret": "***"},
      {"type": "wordpress", "site": "w", "username": "bot", "application_password": "***"},
      {"type": "ghost", "admin_url": "g", "admin_key": "***"},
      {"type": "hosted", "secret": "not one of ours"}]})")));
}

TEST(BrandSecrets, RedactedSecretsAreKeptOnlyForTheSameEndpoint) {
  const auto stored = json::parse(
      R"({"targets": [{"type": "webhook", "url": "https://a.example/", "secret": "s1"}]})");
  auto same = json::parse(
      R"({"targets": [{"type": "webhook", "url": "https://a.example/", "secret": "***"}]})");
  content::restore_secrets(same, stored);
  EXPECT_EQ(same.at("targets").at(0).at("secret"), "s1");

  auto moved = json::parse(
      R"({"targets": [{"type": "webhook", "url": "https://b.example/", "secret": "***"}]})");
  EXPECT_THROW(content::restore_secrets(moved, stored), content::InvalidInput);
  auto shifted = json::parse(R"({"targets": [{"type": "hosted"},
      {"type": "webhook", "url": "https://a.example/", "secret": "***"}]})");
  EXPECT_THROW(content::restore_secrets(shifted, stored), content::InvalidInput);
  auto fresh = json::parse(
      R"({"targets": [{"type": "webhook", "url": "https://a.example/", "secret": "***"}]})");
  EXPECT_THROW(content::restore_secrets(fresh, json::value(nullptr)), content::InvalidInput);
  // A new secret replaces the stored one; "***" in a field that is no secret stays as sent.
  auto replaced = json::parse(R"({"targets": [{"type": "webhook", "url": "https://a.example/",
      "secret": "s2", "note": "***"}]})");
  content::restore_secrets(replaced, stored);
  EXPECT_EQ(replaced.at("targets").at(0).at("secret"), "s2");
  EXPECT_EQ(replaced.at("targets").at(0).at("note"), "***");
}

TEST(Delivery, PayloadRoundTripsAndForeignPayloadsAreRefused) {
  publishing::Delivery d{
      "6f1c1d1e-0000-4000-8000-000000000001", "webhook:1", "webhook", 1, "marker-1", false};
  auto back = publishing::Delivery::parse(d.payload_json());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->content_id, d.content_id);
  EXPECT_EQ(back->key, d.key);
  EXPECT_EQ(back->type, d.type);
  EXPECT_EQ(back->index, 1u);
  EXPECT_EQ(back->marker, d.marker);
  EXPECT_FALSE(back->publish);
  EXPECT_EQ(d.job_key(),
            "deliver:6f1c1d1e-0000-4000-8000-000000000001:webhook:1:unpublish:marker-1");
  EXPECT_FALSE(publishing::Delivery::parse("{}"));
  EXPECT_FALSE(publishing::Delivery::parse("not json"));
  EXPECT_FALSE(publishing::Delivery::parse(
      R"({"content_id": "x", "target": "t", "type": "webhook", "index": 0, "marker": "m",
          "action": "publish"})"));
  EXPECT_FALSE(publishing::Delivery::parse(
      R"({"content_id": "6f1c1d1e-0000-4000-8000-000000000001", "target": "t", "type": "webhook",
          "index": -1, "marker": "m", "action": "publish"})"));
}

}  // namespace

namespace {

TEST(PublishingRules, PublishingAgainWaitsForDeliveriesOnTheirWay) {
  using autoblog::publishing::delivery_in_progress;
  EXPECT_FALSE(delivery_in_progress(boost::json::value(nullptr)));
  EXPECT_FALSE(delivery_in_progress(boost::json::parse(
      R"({"hosted": {"status": "unpublished"}, "wordpress:1": {"status": "failed"},
          "webhook:2": {"status": "unpublished"}, "ghost:3": {"status": 7}})")));
  auto busy = delivery_in_progress(boost::json::parse(
      R"({"hosted": {"status": "unpublished"}, "ghost:1": {"status": "unpublishing"}})"));
  ASSERT_TRUE(busy);
  EXPECT_NE(busy->find("ghost:1 target is still unpublishing"), std::string::npos);
  EXPECT_TRUE(delivery_in_progress(boost::json::parse(R"({"webhook:0": {"status": "pending"}})")));
}

}  // namespace
