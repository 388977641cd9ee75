#include "jobs/generate_content_handler.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <set>

#include "content/errors.h"
#include "db/errors.h"
#include "jobs/daily_reset.h"
#include "jobs/errors.h"
#include "jobs/generation_payload.h"
#include "jobs/generation_queries.h"
#include "util/time.h"

namespace autoblog::jobs {

namespace asio = boost::asio;
namespace json = boost::json;
namespace engine = content::engine;
using db::param;

namespace {

// Two generations choosing the same slug at once: the unique index refuses the second, which
// picks again. More collisions than this in a row mean something else is wrong.
constexpr int kSlugRounds = 4;

json::value parse_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  boost::system::error_code ec;
  auto v = json::parse(*text, ec);
  return ec ? json::value(nullptr) : v;
}

bool auto_approves(const std::optional<std::string>& publishing_config) {
  auto v = parse_or_null(publishing_config);
  if (!v.is_object()) return false;
  auto* a = v.as_object().if_contains("auto_approve");
  return a && a->is_bool() && a->as_bool();
}

std::string skipped(const std::string& id) {
  json::object o;
  o["content_id"] = id;
  o["skipped"] = "the item is no longer generating";
  return json::serialize(o);
}

// `base`, or the first of base-2, base-3, ... that no other item of the tenant uses.
std::string free_slug(const std::string& base, const db::Result& taken) {
  std::set<std::string, std::less<>> used;
  for (int i = 0; i < taken.rows(); ++i)
    if (!taken.is_null(i, 0)) used.emplace(taken.get(i, 0));
  if (!used.count(base)) return base;
  for (int n = 2;; ++n) {
    auto candidate = base + "-" + std::to_string(n);
    if (!used.count(candidate)) return candidate;
  }
}

json::object generation_record(const engine::WrittenArticle& article, const engine::TokenUsage& usage,
                               const engine::StoredImage& image, bool brief_written,
                               std::chrono::steady_clock::duration took) {
  json::object g;
  g["provider"] = article.provider;
  g["model"] = article.model;
  g["prompt_tokens"] = usage.prompt_tokens;
  g["completion_tokens"] = usage.completion_tokens;
  g["total_tokens"] = usage.total();
  g["duration_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  g["brief_written"] = brief_written;
  g["repaired"] = article.repaired;
  json::object img;
  for (const char* k : {"provider", "model", "quality"})
    if (auto* v = image.asset.if_contains(k)) img[k] = *v;
  g["image"] = std::move(img);
  g["generated_at"] = util::format_rfc3339_millis(std::chrono::system_clock::now());
  g["human_edited"] = false;
  return g;
}

}  // namespace

asio::awaitable<std::string> GenerateContentHandler::run(JobContext& ctx) {
  const auto started = std::chrono::steady_clock::now();
  auto payload = GenerationPayload::parse(ctx.job().payload_json);
  if (!payload) throw PermanentFailure("payload has no content_id");
  const std::string& id = payload->content_id;
  const tenancy::ActiveTenant& tenant = ctx.tenant();
  const auto token_budget = tenant.limits().daily_token_budget;

  engine::GenerationInputs in;
  in.content_id = id;
  in.brand_name = tenant->name;
  std::optional<std::string> publishing_config;
  {
    auto tx = co_await ctx.begin();
    db::Params params{param(id)};
    auto r = co_await tx.exec(sql::kLoadInputs, std::move(params));
    if (r.is_null(0, 0) || r.get(0, 0) != "generating") co_return skipped(id);
    in.inspiration_json = r.get_opt(0, 1);
    in.brief_json = r.get_opt(0, 2);
    in.voice_tone_json = r.get_opt(0, 3);
    in.topics_json = r.get_opt(0, 4);
    in.visual_style_json = r.get_opt(0, 5);
    in.seo_strategy_json = r.get_opt(0, 6);
    publishing_config = r.get_opt(0, 7);
    std::int64_t used = 0;
    if (token_budget >= 0) {
      auto t = co_await tx.exec(sql::kAiTokensToday);
      used = std::stoll(std::string(t.get(0, 0)));
    }
    co_await tx.commit();
    if (token_budget >= 0 && used >= token_budget)
      throw PermanentFailure("the daily AI token budget of " + std::to_string(token_budget) +
                             " tokens is spent (" + std::to_string(used) +
                             " used today); it resets at " + next_daily_reset().at);
  }
  const auto seo_strategy = parse_or_null(in.seo_strategy_json);

  // Steps 2-4, with the engine's errors turned into the queue's signals.
  bool brief_written = false;
  engine::TokenUsage usage;
  std::optional<engine::WrittenArticle> article;
  std::optional<engine::StoredImage> image;
  std::optional<content::quality::Scores> scores;
  try {
    if (!in.brief_json) {
      auto brief = co_await engine_.write_brief(*tenant, in);
      in.brief_json = json::serialize(brief.brief);
      auto tx = co_await ctx.begin();
      db::Params params{param(id), in.brief_json};
      auto stored = co_await tx.exec(sql::kStoreBrief, std::move(params));
      db::Params spent{param(brief.usage.total()), param(0)};
      co_await tx.exec(sql::kAddAiUsage, std::move(spent));
      co_await tx.commit();
      if (stored.empty()) co_return skipped(id);
      brief_written = true;
      usage += brief.usage;
    }
    article = co_await engine_.write_article(*tenant, in);
    usage += article->usage;
    try {
      scores = content::score_generated(article->article.to_json(), seo_strategy);
    } catch (const content::InvalidInput& e) {
      throw engine::GenerationFailed(std::string("the brand's seo_strategy is invalid: ") +
                                     e.what());
    }
    image = co_await engine_.illustrate(*tenant, in, article->article);
  } catch (const engine::ProviderBusy& e) {
    throw Snooze(e.retry_after, e.what());
  } catch (const engine::GenerationFailed& e) {
    throw PermanentFailure(e.what());
  }

  const std::string status =
      auto_approves(publishing_config) && scores->passes ? "approved" : "generated";
  const std::string scores_json = json::serialize(scores->to_json());
  json::object assets;
  assets["hero"] = image->asset;
  const std::string assets_json = json::serialize(assets);
  const std::string record = json::serialize(generation_record(
      *article, usage, *image, brief_written, std::chrono::steady_clock::now() - started));
  const std::string base_slug = article->article.slug;

  for (int round = 1;; ++round) {
    bool collided = false;
    try {
      auto tx = co_await ctx.begin();
      db::Params slug_params{param(id), param(base_slug)};
      auto taken = co_await tx.exec(sql::kTakenSlugs, std::move(slug_params));
      article->article.slug = free_slug(base_slug, taken);
      db::Params params{param(id),          param(json::serialize(article->article.to_json())),
                        param(scores_json), param(assets_json),
                        param(record),      param(status)};
      auto stored = co_await tx.exec(sql::kStoreGenerated, std::move(params));
      if (stored.empty()) co_return skipped(id);  // the transaction rolls back
      db::Params spent{param(article->usage.total()), param(1)};
      auto totals = co_await tx.exec(sql::kAddAiUsage, std::move(spent));
      json::object result;
      result["content_id"] = id;
      result["status"] = status;
      result["slug"] = article->article.slug;
      result["provider"] = article->provider;
      result["model"] = article->model;
      result["total_tokens"] = usage.total();
      result["overall"] = scores->overall;
      co_await ctx.complete(tx, json::serialize(result));
      metrics_.set_resource_usage(tenant.id(), "ai_tokens",
                                  static_cast<double>(std::stoll(std::string(totals.get(0, 0)))));
      metrics_.set_resource_usage(tenant.id(), "images",
                                  static_cast<double>(std::stoll(std::string(totals.get(0, 1)))));
    } catch (const db::UniqueViolation&) {
      if (round >= kSlugRounds) throw;
      collided = true;
    }
    if (!collided) break;
  }
  co_return std::string();
}

asio::awaitable<void> GenerateContentHandler::given_up(tenancy::TenantTx& tx, const ClaimedJob& job,
                                                       const std::string& reason) {
  if (auto payload = GenerationPayload::parse(job.payload_json))
    co_await leave_generating(tx, *payload, "failed", reason);
}

}  // namespace autoblog::jobs
