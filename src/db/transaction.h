#pragma once
// A transaction on a pooled connection that rolls back unless commit() is called (the
// destructor never commits). BEGIN and any set-up statements (SET LOCAL search_path for a
// tenant) are queued and sent in the same round trip as the first query; commit_with() sends a
// last query and COMMIT together, so a one-query transaction costs one round trip — and when it
// is the only query, it runs in the pipeline's implicit transaction without BEGIN/COMMIT.
// Every transaction carries a statement deadline (the pool's statement_timeout unless begin()
// is given another): sent as SET LOCAL statement_timeout with the set-up statements, and
// enforced client-side with a grace period, so a hung server costs the caller its deadline and
// the connection (discarded), never a pool slot for good.
// Move-only; used by one coroutine at a time.
#include <boost/asio/awaitable.hpp>
#include <vector>

#include "db/pool.h"
#include "db/statement.h"

namespace autoblog::db {

class Transaction {
 public:
  // Takes a connection from the pool; nothing is sent yet. `statement_timeout` overrides the
  // pool's default (migrations run longer statements).
  static boost::asio::awaitable<Transaction> begin(Pool& pool);
  static boost::asio::awaitable<Transaction> begin(Pool& pool,
                                                   std::chrono::milliseconds statement_timeout);

  Transaction(Transaction&&) noexcept = default;
  Transaction& operator=(Transaction&&) noexcept = default;
  ~Transaction();

  boost::asio::awaitable<Result> exec(const Query& query, Params params = {});
  boost::asio::awaitable<void> exec_script(std::string_view sql);
  boost::asio::awaitable<void> commit();
  // Runs a last query and commits in the same round trip; returns the query's result.
  boost::asio::awaitable<Result> commit_with(const Query& query, Params params = {});

 protected:
  Transaction(PooledConnection conn, std::chrono::milliseconds statement_timeout);
  // Queues a statement to run right after BEGIN (before the first query).
  void prepend(const Query& query, Params params) {
    setup_.push_back(prepared(query, std::move(params)));
  }

 private:
  boost::asio::awaitable<std::vector<Result>> send(std::vector<Statement> statements);
  Deadline next_deadline() const;
  PooledConnection conn_;
  std::chrono::milliseconds statement_timeout_;
  std::vector<Statement> setup_;  // queued set-up statements
  bool started_ = false;                // BEGIN has been sent
  bool finished_ = false;               // committed (or failed at commit)
};

}  // namespace autoblog::db
