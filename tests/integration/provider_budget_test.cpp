// Provider budgets on the real PostgreSQL of the test services: two ProviderBudget objects on two
// connection pools stand for two worker processes sharing one database. Waits are read from the
// decisions (the database's clock), never slept for.
#include "content/provider_budget.h"

#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "content/providers/budgeted.h"
#include "content/providers/errors.h"
#include "test_database.h"

namespace autoblog::content {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using providers::ProviderLimits;
using Clock = std::chrono::steady_clock;

class ProviderBudgetTest : public testing::DatabaseTest {
 protected:
  // A second "process": its own pool of connections to the same database.
  std::unique_ptr<db::Pool> other_pool() {
    return std::make_unique<db::Pool>(ioc_.get_executor(),
                                      db::PoolOptions{conninfo_,
                                                      8,
                                                      std::chrono::milliseconds(5000),
                                                      256,
                                                      std::chrono::milliseconds(5000),
                                                      true,
                                                      {}});
  }
  static std::map<std::string, ProviderLimits> openai(std::int64_t rpm, std::int64_t tpm = 0,
                                                      std::int64_t burst = 1) {
    return {{"openai", ProviderLimits{rpm, tpm, burst}}};
  }
  BudgetDecision acquire(ProviderBudget& b, std::int64_t tokens = 0,
                         const std::string& provider = "openai") {
    return run(b.acquire(provider, tokens));
  }
};

TEST_F(ProviderBudgetTest, FiveRequestsPerMinuteWithBurstFiveRefusesTheSixthForTwelveSeconds) {
  ProviderBudget budget(*pool_, openai(5, 0, 5));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(acquire(budget).granted) << i;
  auto sixth = acquire(budget);
  EXPECT_FALSE(sixth.granted);
  EXPECT_GE(sixth.retry_after, 11s);
  EXPECT_LE(sixth.retry_after, 12s);
  // A refusal charges nothing: asking again right away gets the same answer, not a longer one.
  auto again = acquire(budget);
  EXPECT_FALSE(again.granted);
  EXPECT_LE(again.retry_after, sixth.retry_after);
  EXPECT_EQ(query("SELECT last_wait_ms > 0 FROM autoblog_core.provider_budgets"), "t");
}

TEST_F(ProviderBudgetTest, DefaultBurstOfOneSpacesRequestsEvenly) {
  ProviderBudget budget(*pool_, openai(5));
  EXPECT_TRUE(acquire(budget).granted);
  auto second = acquire(budget);
  EXPECT_FALSE(second.granted);
  EXPECT_GE(second.retry_after, 11s);
  EXPECT_LE(second.retry_after, 12s);
}

TEST_F(ProviderBudgetTest, TwoProcessesShareOneMeter) {
  auto pool_b = other_pool();
  ProviderBudget a(*pool_, openai(5, 0, 5));
  ProviderBudget b(*pool_b, openai(5, 0, 5));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(acquire(a).granted);
  EXPECT_TRUE(acquire(b).granted);
  EXPECT_TRUE(acquire(b).granted);
  EXPECT_FALSE(acquire(a).granted);
  EXPECT_FALSE(acquire(b).granted);
}

TEST_F(ProviderBudgetTest, ManyConcurrentCallersAcrossTwoProcessesNeverExceedTheBudget) {
  auto pool_b = other_pool();
  auto pool_a = other_pool();
  ProviderBudget a(*pool_a, openai(5, 0, 5));
  ProviderBudget b(*pool_b, openai(5, 0, 5));
  // Create the row first so the race below is about the meter, not about the first INSERT
  // (that race is covered by FirstCallsRaceToCreateTheRow).
  ASSERT_TRUE(acquire(a, 0, "openai").granted);
  int granted = 1, refused = 0;
  std::vector<std::exception_ptr> errors;
  for (int i = 0; i < 60; ++i) {
    asio::co_spawn(ioc_, (i % 2 ? a : b).acquire("openai", 0),
                   [&](std::exception_ptr e, BudgetDecision d) {
                     if (e)
                       errors.push_back(e);
                     else
                       (d.granted ? granted : refused)++;
                   });
  }
  ioc_.restart();
  ioc_.run();
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(granted, 5);
  EXPECT_EQ(refused, 56);
}

TEST_F(ProviderBudgetTest, FirstCallsRaceToCreateTheRow) {
  auto pool_a = other_pool();
  auto pool_b = other_pool();
  ProviderBudget a(*pool_a, openai(5, 0, 3));
  ProviderBudget b(*pool_b, openai(5, 0, 3));
  int granted = 0, failed = 0;
  for (int i = 0; i < 20; ++i) {
    asio::co_spawn(ioc_, (i % 2 ? a : b).acquire("openai", 0),
                   [&](std::exception_ptr e, BudgetDecision d) {
                     if (e)
                       ++failed;
                     else if (d.granted)
                       ++granted;
                   });
  }
  ioc_.restart();
  ioc_.run();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(granted, 3);
  EXPECT_EQ(query("SELECT count(*) FROM autoblog_core.provider_budgets"), "1");
}

TEST_F(ProviderBudgetTest, EvenPacingHoldsOverTimeAtAHigherRate) {
  // 600/minute = one every 100 ms; callers retry as soon as they are told. Over ~1 s the number
  // of grants is what the rate allows (+1 for the first), no more.
  ProviderBudget budget(*pool_, openai(600));
  auto loop = [&]() -> asio::awaitable<std::vector<Clock::time_point>> {
    std::vector<Clock::time_point> grants;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto start = Clock::now();
    while (Clock::now() - start < 1000ms) {
      auto d = co_await budget.acquire("openai", 0);
      if (d.granted) {
        grants.push_back(Clock::now());
        continue;
      }
      EXPECT_LE(d.retry_after, 100ms);
      timer.expires_after(d.retry_after);
      co_await timer.async_wait(asio::use_awaitable);
    }
    co_return grants;
  };
  auto grants = run(loop());
  ASSERT_GE(grants.size(), 2u);
  const auto span =
      std::chrono::duration_cast<std::chrono::milliseconds>(grants.back() - grants.front());
  EXPECT_LE(static_cast<long>(grants.size()), span.count() / 100 + 2) << span.count();
  EXPECT_GE(grants.size(), 6u);  // and the budget does not starve its callers either
}

TEST_F(ProviderBudgetTest, TokensPerMinuteAreChargedUpFrontAndSettled) {
  ProviderBudget budget(*pool_, openai(0, 1000));
  EXPECT_TRUE(acquire(budget, 600).granted);
  auto refused = acquire(budget, 600);  // 1 200 > 1 000: 200 tokens short = 12 s
  EXPECT_FALSE(refused.granted);
  EXPECT_GE(refused.retry_after, 11s);
  EXPECT_LE(refused.retry_after, 12s);
  run(budget.settle("openai", -500));  // the call used 100 tokens, not 600
  EXPECT_TRUE(acquire(budget, 600).granted);
  // A request larger than the whole minute is charged as one full minute, so it can still run.
  run(budget.settle("openai", -10000));
  EXPECT_TRUE(acquire(budget, 50000).granted);
  EXPECT_FALSE(acquire(budget, 1).granted);
}

TEST_F(ProviderBudgetTest, SettleChargesRetriesAsRequests) {
  ProviderBudget budget(*pool_, openai(60));
  EXPECT_TRUE(acquire(budget).granted);
  run(budget.settle("openai", 0, 2));  // the call took 3 attempts
  auto d = acquire(budget);
  EXPECT_FALSE(d.granted);
  EXPECT_GE(d.retry_after, 2900ms);
  EXPECT_LE(d.retry_after, 3000ms);
}

TEST_F(ProviderBudgetTest, ARateLimitReportedByOneProcessStopsTheOther) {
  auto pool_b = other_pool();
  // No limits of our own: only the provider's 429; re-read on every call.
  ProviderBudget a(*pool_, openai(0), 0ms);
  ProviderBudget b(*pool_b, openai(0), 0ms);
  EXPECT_TRUE(acquire(b).granted);
  run(a.report_rate_limited("openai", 30s));
  auto d = acquire(b);
  EXPECT_FALSE(d.granted);
  EXPECT_GE(d.retry_after, 29s);
  EXPECT_LE(d.retry_after, 30s);
  // A later, shorter report does not shorten the block.
  run(b.report_rate_limited("openai", 1s));
  EXPECT_GE(acquire(a).retry_after, 29s);
}

TEST_F(ProviderBudgetTest, WithoutLimitsAnotherProcesssRateLimitArrivesWithinTheRecheck) {
  auto pool_b = other_pool();
  ProviderBudget a(*pool_, openai(0));
  ProviderBudget b(*pool_b, openai(0), 1500ms);
  EXPECT_TRUE(acquire(b).granted);  // read from the database: not blocked, kept for 1.5 s
  run(a.report_rate_limited("openai", 30s));
  EXPECT_FALSE(acquire(a).granted) << "the reporting process holds back at once";
  EXPECT_TRUE(acquire(b).granted) << "b still trusts its copy, younger than 1.5 s";
  // b learns of it once its copy is older than the recheck interval. (A wait on the clock:
  // the interval is what is being tested.)
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  BudgetDecision d = acquire(b);
  while (d.granted && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    d = acquire(b);
  }
  EXPECT_FALSE(d.granted);
  EXPECT_GE(d.retry_after, 28s);
}

TEST_F(ProviderBudgetTest, AReportBeforeAnyCallCreatesTheRow) {
  ProviderBudget budget(*pool_, openai(10));
  run(budget.report_rate_limited("openai", 5s));
  auto d = acquire(budget);
  EXPECT_FALSE(d.granted);
  EXPECT_GE(d.retry_after, 4s);
}

TEST_F(ProviderBudgetTest, UnmeteredProvidersAreGrantedWithoutTheDatabase) {
  ProviderBudget budget(*pool_, openai(1));
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(acquire(budget, 1000000, "template").granted);
  run(budget.report_rate_limited("template", 10s));
  EXPECT_EQ(query("SELECT count(*) FROM autoblog_core.provider_budgets"), "0");
  // The configured endpoint is metered even with both limits at 0 (unlimited).
  providers::AiSettings s;
  s.base_url = "http://127.0.0.1:1/v1";
  EXPECT_EQ(ProviderBudget::limits_from(s).count("openai"), 1u);
  EXPECT_TRUE(ProviderBudget::limits_from(providers::AiSettings{}).empty());
}

// ---- generate_within_budget ----

struct FakeText : providers::TextGenerator {
  std::string_view name() const override { return "openai"; }
  boost::asio::awaitable<providers::TextResult> generate(providers::TextRequest) override {
    ++calls;
    if (rate_limited) throw providers::ProviderRateLimited("429 from fake", 20s);
    if (fail) throw providers::ProviderTransient("down");
    providers::TextResult r;
    r.text = "{}";
    r.provider = "openai";
    r.prompt_tokens = 100;
    r.completion_tokens = 50;
    co_return r;
  }
  int calls = 0;
  bool rate_limited = false;
  bool fail = false;
};

TEST_F(ProviderBudgetTest, GenerateWithinBudgetSnoozesWithoutCallingWhenTheBudgetIsSpent) {
  ProviderBudget budget(*pool_, openai(1));
  FakeText gen;
  providers::TextRequest req;
  req.user_prompt = std::string(400, 'x');
  req.max_tokens = 100;
  auto first = run(generate_within_budget(budget, gen, req));
  ASSERT_TRUE(std::holds_alternative<providers::TextResult>(first));
  auto second = run(generate_within_budget(budget, gen, req));
  ASSERT_TRUE(std::holds_alternative<Snooze>(second));
  EXPECT_EQ(std::get<Snooze>(second).reason, "budget");
  EXPECT_GE(std::get<Snooze>(second).retry_after, 59s);
  EXPECT_EQ(gen.calls, 1);
}

TEST_F(ProviderBudgetTest, GenerateWithinBudgetSettlesTheEstimateWithTheReportedUsage) {
  ProviderBudget budget(*pool_, openai(0, 1000));
  FakeText gen;
  providers::TextRequest req;
  req.max_tokens = 800;  // estimate ~816, actual 150
  ASSERT_TRUE(
      std::holds_alternative<providers::TextResult>(run(generate_within_budget(budget, gen, req))));
  // Without the settlement 816 + 816 would not fit in 1 000 tokens.
  EXPECT_TRUE(acquire(budget, 816).granted);
}

TEST_F(ProviderBudgetTest, GenerateWithinBudgetTurnsAProvider429IntoASharedSnooze) {
  auto pool_b = other_pool();
  ProviderBudget a(*pool_, openai(0));
  ProviderBudget b(*pool_b, openai(0));
  FakeText gen;
  gen.rate_limited = true;
  auto r = run(generate_within_budget(a, gen, providers::TextRequest{}));
  ASSERT_TRUE(std::holds_alternative<Snooze>(r));
  EXPECT_EQ(std::get<Snooze>(r).retry_after, 20s);
  EXPECT_NE(std::get<Snooze>(r).reason.find("429"), std::string::npos);
  EXPECT_GE(acquire(b).retry_after, 19s);  // the other process backs off too
}

TEST_F(ProviderBudgetTest, GenerateWithinBudgetLetsOtherProviderErrorsThrough) {
  ProviderBudget budget(*pool_, openai(0));
  FakeText gen;
  gen.fail = true;
  EXPECT_THROW(run(generate_within_budget(budget, gen, providers::TextRequest{})),
               providers::ProviderTransient);
  EXPECT_EQ(gen.calls, 1);
  EXPECT_TRUE(acquire(budget).granted);  // a failure blocks nobody
}

}  // namespace
}  // namespace autoblog::content
