#include "jobs/generate_content_handler.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <set>

#include "content/content_json.h"
#include "content/content_queries.h"
#include "content/errors.h"
#include "db/errors.h"
#include "jobs/daily_reset.h"
#include "jobs/errors.h"
#include "jobs/generation_payload.h"
#include "jobs/generation_queries.h"
#include "util/random.h"
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

bool auto_approves(const std::optional<std::string>& publishing_config) {
  auto v = content::json_or_null(publishing_config);
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

// The slugs tried for an article, in order: its own, then -2 ... -kNumberedSlugs, then one with
// a random suffix (a tenant with that many articles of one title is rare, and finding the
// highest number in use would cost a scan of every item).
constexpr int kNumberedSlugs = 20;

// As a PostgreSQL array literal: slugs are lower-case ASCII letters, digits and hyphens, so
// nothing needs quoting.
std::string slug_candidates(const std::string& base) {
  std::string out = "{" + base;
  for (int n = 2; n <= kNumberedSlugs; ++n) out += "," + base + "-" + std::to_string(n);
  return out + "," + base + "-" + util::random_hex(3) + "}";
}

// The engine's errors as the queue's signals; anything else unchanged (a retried attempt).
[[noreturn]] void rethrow_for_queue(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const engine::ProviderBusy& e) {
    throw Snooze(e.retry_after, e.what());
  } catch (const engine::GenerationFailed& e) {
    throw PermanentFailure(e.what());
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
  g["generated_at"] = util::format_rfc3339(std::chrono::system_clock::now());
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
    // One round trip (an implicit transaction) unless the day's tokens are needed too.
    auto tx = co_await ctx.begin();
    db::Params params{param(id)};
    // (No co_await inside ?: — GCC 12 miscompiles it.)
    db::Result r;
    if (token_budget >= 0) r = co_await tx.exec(sql::kLoadInputs, std::move(params));
    else r = co_await tx.commit_with(sql::kLoadInputs, std::move(params));
    if (r.is_null(0, 0) || r.get(0, 0) != "generating") co_return skipped(id);
    in.inspiration_json = r.get_opt(0, 1);
    in.brief_json = r.get_opt(0, 2);
    in.voice_tone_json = r.get_opt(0, 3);
    in.topics_json = r.get_opt(0, 4);
    in.visual_style_json = r.get_opt(0, 5);
    in.seo_strategy_json = r.get_opt(0, 6);
    publishing_config = r.get_opt(0, 7);
    std::int64_t used = 0;
    if (token_budget >= 0) used = (co_await tx.commit_with(sql::kAiTokensToday)).get_int(0, 0);
    if (token_budget >= 0 && used >= token_budget)
      throw PermanentFailure("the daily AI token budget of " + std::to_string(token_budget) +
                             " tokens is spent (" + std::to_string(used) +
                             " used today); it resets at " + next_daily_reset().at);
  }
  const auto seo_strategy = content::json_or_null(in.seo_strategy_json);

  // Steps 2-4. A brief written here is stored with the article (one transaction for both). If a
  // later step fails, it is stored on its own first, so no retry pays for it twice, and the
  // tokens every call so far cost are added to the day's usage: failed calls are billed too.
  std::optional<engine::WrittenBrief> brief;
  std::optional<engine::WrittenArticle> article;
  std::optional<engine::StoredImage> image;
  std::optional<content::quality::Scores> scores;
  std::exception_ptr failure;
  engine::TokenUsage spent;
  try {
    if (!in.brief_json) {
      brief = co_await engine_.write_brief(*tenant, in);
      in.brief_json = json::serialize(brief->brief);
      spent += brief->usage;
    }
    article = co_await engine_.write_article(*tenant, in);
    spent += article->usage;
    try {
      scores = content::score_generated(article->article.to_json(), seo_strategy);
    } catch (const content::InvalidInput& e) {
      throw engine::GenerationFailed(std::string("the brand's seo_strategy is invalid: ") +
                                     e.what());
    }
    image = co_await engine_.illustrate(*tenant, in, article->article);
  } catch (const engine::GenerationFailed& e) {
    spent += e.usage;
    failure = std::current_exception();
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    if (brief || spent.total() > 0)
      co_await keep_spent(ctx, id, brief ? in.brief_json : std::nullopt, spent.total());
    rethrow_for_queue(failure);
  }

  engine::TokenUsage usage = article->usage;
  if (brief) usage += brief->usage;
  const std::string status =
      auto_approves(publishing_config) && scores->passes ? "approved" : "generated";
  json::object assets;
  assets["hero"] = image->asset;
  db::Params params{param(id),
                    param(json::serialize(article->article.to_json())),
                    param(json::serialize(scores->to_json())),
                    param(json::serialize(assets)),
                    param(json::serialize(generation_record(*article, usage, *image, brief.has_value(),
                                                            std::chrono::steady_clock::now() - started))),
                    param(status),
                    param(slug_candidates(article->article.slug)),
                    param(brief.has_value()),
                    brief ? in.brief_json : std::nullopt};

  for (int round = 1;; ++round) {
    bool collided = false;
    try {
      auto tx = co_await ctx.begin();
      auto stored = co_await tx.exec(sql::kStoreGenerated, params);
      if (stored.empty()) co_return skipped(id);  // the transaction rolls back
      db::Params spent{param(usage.total()), param(1)};
      auto totals = co_await tx.exec(sql::kAddAiUsage, std::move(spent));
      json::object result;
      result["content_id"] = id;
      result["status"] = status;
      result["slug"] = stored.get(0, 0);
      result["provider"] = article->provider;
      result["model"] = article->model;
      result["total_tokens"] = usage.total();
      result["overall"] = scores->overall;
      co_await ctx.complete(tx, json::serialize(result));
      metrics_.set_resource_usage(tenant.id(), "ai_tokens", static_cast<double>(totals.get_int(0, 0)));
      metrics_.set_resource_usage(tenant.id(), "images", static_cast<double>(totals.get_int(0, 1)));
    } catch (const db::UniqueViolation& e) {
      if (e.constraint() != content::queries::kSlugIndex || round >= kSlugRounds) throw;
      collided = true;
    }
    if (!collided) break;
  }
  co_return std::string();
}

asio::awaitable<void> GenerateContentHandler::keep_spent(JobContext& ctx, const std::string& id,
                                                         const std::optional<std::string>& brief_json,
                                                         std::int64_t tokens) {
  auto tx = co_await ctx.begin();
  if (brief_json) {
    db::Params params{param(id), param(*brief_json)};
    co_await tx.exec(sql::kStoreBrief, std::move(params));
  }
  db::Params spent{param(tokens), param(0)};
  co_await tx.exec(sql::kAddAiUsage, std::move(spent));
  co_await tx.commit();
}

asio::awaitable<void> GenerateContentHandler::given_up(tenancy::TenantTx& tx, const ClaimedJob& job,
                                                       const std::string& reason) {
  if (auto payload = GenerationPayload::parse(job.payload_json))
    co_await leave_generating(tx, *payload, "failed", reason);
}

}  // namespace autoblog::jobs
