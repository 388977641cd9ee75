#include "db/transaction.h"

#include "db/errors.h"

#include <boost/asio/this_coro.hpp>

namespace autoblog::db {

namespace asio = boost::asio;

namespace {
constexpr Query kBegin{"begin", "BEGIN"};
constexpr Query kCommit{"commit", "COMMIT"};
// SET LOCAL statement_timeout as a function, so the value travels as a parameter and the
// statement is prepared once per connection (is_local = true: it ends with the transaction).
constexpr Query kSetLocalStatementTimeout{"set_local_statement_timeout",
                                          "SELECT set_config('statement_timeout', $1, true)"};

Param timeout_param(std::chrono::milliseconds t) { return std::to_string(t.count()) + "ms"; }
// How long past the server-side statement_timeout the client waits before it gives up on a
// server that does not answer at all (stopped, partitioned).
constexpr std::chrono::milliseconds kClientGrace{1000};
}  // namespace

Transaction::Transaction(PooledConnection conn, std::chrono::milliseconds statement_timeout,
                         bool session_has_timeout)
    : conn_(std::move(conn)), statement_timeout_(statement_timeout) {
  if (!session_has_timeout)
    setup_.push_back(prepared(kSetLocalStatementTimeout, Params{timeout_param(statement_timeout)}));
}

Deadline Transaction::next_deadline() const {
  return std::chrono::steady_clock::now() + statement_timeout_ + kClientGrace;
}

Transaction::~Transaction() {
  if (started_ && !finished_) conn_.needs_rollback();
}

// Pooled connections run with the pool's statement_timeout as their session default (set at
// connect), which saves a statement per transaction: the database's CPU is the limit for
// single-query requests. Behind PgBouncer in transaction mode (prepared statements off), a
// session setting does not follow the client from one server connection to the next, so there
// every transaction sets it LOCAL.
asio::awaitable<Transaction> Transaction::begin(Pool& pool) {
  return begin(pool, pool.options().statement_timeout);
}

asio::awaitable<Transaction> Transaction::begin(Pool& pool,
                                                std::chrono::milliseconds statement_timeout,
                                                std::string_view prefer_schema) {
  const auto& o = pool.options();
  bool session_has_it = o.use_prepared && statement_timeout == o.statement_timeout;
  co_return Transaction(co_await pool.acquire(prefer_schema), statement_timeout, session_has_it);
}

asio::awaitable<std::vector<Result>> Transaction::send(std::vector<Statement> statements) {
  if (finished_) throw std::logic_error("transaction already finished");
  std::size_t skip = 0;
  if (!started_) {
    std::vector<Statement> all;
    all.reserve(statements.size() + 1 + setup_.size());
    all.push_back(prepared(kBegin));
    for (auto& s : setup_) all.push_back(std::move(s));
    setup_.clear();
    skip = all.size();
    for (auto& s : statements) all.push_back(std::move(s));
    statements = std::move(all);
    // From here on the server may hold an open transaction: roll back unless committed.
    started_ = true;
  }
  auto results = co_await conn_->pipeline(statements, next_deadline());
  results.erase(results.begin(), results.begin() + static_cast<std::ptrdiff_t>(skip));
  co_return results;
}

namespace {
Statement statement_for(const Query& query, Params params, const SchemaIdentifier* schema) {
  auto s = prepared(query, std::move(params));
  s.schema = schema;
  return s;
}
}  // namespace

asio::awaitable<Result> Transaction::run_alone(Pool& pool, const Query& query, Params params,
                                               const SchemaIdentifier* schema) {
  auto executor = co_await asio::this_coro::executor;
  if (auto* shared = pool.shared_reads_for(executor)) {
    auto statement = statement_for(query, std::move(params), schema);
    co_return co_await shared->run(std::move(statement));
  }
  std::string_view prefer = schema ? std::string_view(schema->quoted()) : std::string_view();
  auto tx = co_await begin(pool, pool.options().statement_timeout, prefer);
  co_return co_await tx.commit_with(query, std::move(params), schema);
}

asio::awaitable<Result> Transaction::exec(const Query& query, Params params,
                                          const SchemaIdentifier* schema) {
  std::vector<Statement> one;
  one.push_back(statement_for(query, std::move(params), schema));
  auto results = co_await send(std::move(one));
  co_return std::move(results.front());
}

asio::awaitable<void> Transaction::exec_script(std::string_view sql) {
  if (!started_) {
    std::vector<Statement> none;  // just BEGIN and the set-up statements
    co_await send(std::move(none));
  }
  co_await conn_->exec_script(sql, next_deadline());
}

asio::awaitable<void> Transaction::commit() {
  if (!started_) {  // nothing was ever sent: nothing to commit
    finished_ = true;
    co_return;
  }
  std::vector<Statement> c;
  c.push_back(prepared(kCommit));
  co_await send(std::move(c));
  finished_ = true;
}

asio::awaitable<Result> Transaction::commit_with(const Query& query, Params params,
                                                 const SchemaIdentifier* schema) {
  if (!started_) {
    // Nothing sent yet: the set-up statements and this query go out as one pipeline without
    // BEGIN/COMMIT. PostgreSQL runs a pipeline's statements up to its Sync as one implicit
    // transaction (committed at Sync, rolled back on error, LOCAL settings scoped to it), which
    // is exactly BEGIN ... COMMIT for two fewer statements per request: the database's CPU is
    // the limit for single-query requests (tests/integration/pipeline_test.cpp pins this).
    std::vector<Statement> all;
    all.reserve(setup_.size() + 1);
    for (auto& s : setup_) all.push_back(std::move(s));
    setup_.clear();
    all.push_back(statement_for(query, std::move(params), schema));
    finished_ = true;  // whatever happens, the server has no open transaction left
    auto results = co_await conn_->pipeline(all, next_deadline());
    co_return std::move(results.back());
  }
  std::vector<Statement> two;
  two.push_back(statement_for(query, std::move(params), schema));
  two.push_back(prepared(kCommit));
  auto results = co_await send(std::move(two));
  finished_ = true;
  co_return std::move(results.front());
}

}  // namespace autoblog::db
