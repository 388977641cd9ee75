#pragma once
// Named SQL for autoblog_core.provider_budgets (content/provider_budget.h explains the meters).
// Every value is a bind parameter; times are the database's clock (now()), the one clock all
// worker processes share.
#include "db/statement.h"

namespace autoblog::content::queries {

// Seconds the request meter still needs before one more request conforms: GCRA with emission
// interval T = 60/rpm and tolerance burst*T, i.e. wait = max(tat, now) + T - burst*T - now.
// $2 = requests/minute (0 = unlimited), $3 = burst.
#define AUTOBLOG_BUDGET_REQUEST_WAIT                                   \
  "(CASE WHEN $2::bigint = 0 THEN 0::float8 ELSE GREATEST(0::float8, " \
  "EXTRACT(epoch FROM GREATEST(request_tat, now()) - now())::float8 "  \
  "+ 60.0::float8 / $2::bigint * (1 - $3::bigint)) END)"
// The token meter is a bucket one minute deep: $5 tokens (capped at the per-minute limit, so
// an oversized request waits for a full bucket instead of forever) conform when
// max(tat, now) + cost*60/tpm - now <= 60 s. $4 = tokens/minute (0 = unlimited).
#define AUTOBLOG_BUDGET_TOKEN_WAIT                                     \
  "(CASE WHEN $4::bigint = 0 THEN 0::float8 ELSE GREATEST(0::float8, " \
  "EXTRACT(epoch FROM GREATEST(token_tat, now()) - now())::float8 "    \
  "+ LEAST($5::bigint, $4::bigint) * 60.0::float8 / $4::bigint - 60.0) END)"
#define AUTOBLOG_BUDGET_BLOCK_WAIT \
  "GREATEST(0::float8, EXTRACT(epoch FROM blocked_until - now())::float8)"
#define AUTOBLOG_BUDGET_WAIT                                               \
  "GREATEST(" AUTOBLOG_BUDGET_REQUEST_WAIT ", " AUTOBLOG_BUDGET_TOKEN_WAIT \
  ", " AUTOBLOG_BUDGET_BLOCK_WAIT ")"
// Sub-microsecond waits are float noise: timestamps have microsecond resolution.
#define AUTOBLOG_BUDGET_GRANTED "(" AUTOBLOG_BUDGET_WAIT " < 0.000001)"

// One decision: charge both meters if the request conforms to both and the provider is not
// blocked, else charge nothing; returns the wait in ms (0 = granted). Every expression reads the
// row as locked by this UPDATE, so concurrent callers queue on the row lock and each sees the
// previous one's charge (READ COMMITTED re-evaluates the row after the wait). No row: the
// provider has no row yet (kEnsureBudget, then try again).
inline constexpr db::CoreQuery kAcquireBudget{
    "provider_budget_acquire",
    "UPDATE autoblog_core.provider_budgets SET "
    "request_tat = CASE WHEN " AUTOBLOG_BUDGET_GRANTED
    " AND $2::bigint > 0 "
    "THEN GREATEST(request_tat, now()) + make_interval(secs => 60.0::float8 / $2::bigint) "
    "ELSE request_tat END, "
    "token_tat = CASE WHEN " AUTOBLOG_BUDGET_GRANTED
    " AND $4::bigint > 0 "
    "THEN GREATEST(token_tat, now()) + "
    "make_interval(secs => LEAST($5::bigint, $4::bigint) * 60.0::float8 / $4::bigint) "
    "ELSE token_tat END, "
    "last_wait_ms = CASE WHEN " AUTOBLOG_BUDGET_GRANTED
    " THEN 0 "
    "ELSE ceil(" AUTOBLOG_BUDGET_WAIT
    " * 1000)::bigint END, "
    "updated_at = now() "
    "WHERE provider = $1 RETURNING last_wait_ms"};

// A provider with no limits configured is only held back by its own 429s: a read of the wait
// left (no row: none), with nothing to write and so no commit to flush per call.
inline constexpr db::CoreQuery kBlockedWait{
    "provider_budget_blocked_wait",
    "SELECT ceil(" AUTOBLOG_BUDGET_BLOCK_WAIT " * 1000)::bigint "
    "FROM autoblog_core.provider_budgets WHERE provider = $1"};

inline constexpr db::CoreQuery kEnsureBudget{
    "provider_budget_ensure",
    "INSERT INTO autoblog_core.provider_budgets (provider) VALUES ($1) "
    "ON CONFLICT (provider) DO NOTHING"};

// Corrects the charges of an earlier grant: $2 tokens more (or fewer, negative) than estimated
// against $3 tokens/minute, $4 requests more than the one granted (retries) against $5
// requests/minute. Added to the meters as they stand, as if charged at the grant.
inline constexpr db::CoreQuery kSettleBudget{
    "provider_budget_settle",
    "UPDATE autoblog_core.provider_budgets SET "
    "token_tat = CASE WHEN $3::bigint = 0 THEN token_tat "
    "ELSE token_tat + make_interval(secs => $2::bigint * 60.0::float8 / $3::bigint) END, "
    "request_tat = CASE WHEN $5::bigint = 0 THEN request_tat "
    "ELSE request_tat + make_interval(secs => $4::bigint * 60.0::float8 / $5::bigint) END, "
    "updated_at = now() WHERE provider = $1"};

// The provider said "retry after $2 ms": nobody calls it before then (a later, shorter report
// never shortens an earlier, longer one).
inline constexpr db::CoreQuery kBlockBudget{
    "provider_budget_block",
    "INSERT INTO autoblog_core.provider_budgets AS b (provider, blocked_until) "
    "VALUES ($1, now() + make_interval(secs => $2::bigint / 1000.0::float8)) "
    "ON CONFLICT (provider) DO UPDATE SET "
    "blocked_until = GREATEST(b.blocked_until, EXCLUDED.blocked_until), updated_at = now()"};

#undef AUTOBLOG_BUDGET_GRANTED
#undef AUTOBLOG_BUDGET_WAIT
#undef AUTOBLOG_BUDGET_BLOCK_WAIT
#undef AUTOBLOG_BUDGET_TOKEN_WAIT
#undef AUTOBLOG_BUDGET_REQUEST_WAIT

}  // namespace autoblog::content::queries
