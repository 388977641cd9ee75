#pragma once
// One PostgreSQL connection driven by nonblocking libpq on an Asio io_context: the socket is
// awaited for readiness, so a query never blocks an I/O thread. Several statements can be sent
// in one round trip (libpq pipeline mode), which is how a tenant transaction's
// BEGIN + SET LOCAL search_path + query costs one round trip instead of three.
// Deadlines and cancellation: every wait of a query races the statement's deadline (one timer per
// connection, armed once per round trip) and honours asio cancellation of the awaiting coroutine
// (a request deadline, a client that disconnected, shutdown). Either way the server is asked to
// cancel the running statement (PQcancel, off the I/O thread) and the connection is marked
// broken, so the pool discards it instead of handing out a connection with a query in flight.
// A deadline gives QueryTimeout; a cancellation rethrows operation_aborted.
// Not thread-safe: one coroutine uses a connection at a time (the Pool guarantees it).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/result.h"
#include "db/statement.h"
#include "db/statement_cache.h"

struct pg_conn;

namespace autoblog::db {

using Deadline = std::chrono::steady_clock::time_point;
inline constexpr Deadline kNoDeadline = Deadline::max();

struct Notification {
  std::string channel;
  std::string payload;
};

class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects without blocking the executor, then sets the session up: an empty search_path (so
  // an unqualified table name is an error, never a read of whichever schema came first), UTC
  // and ISO dates (so timestamps arrive as "YYYY-MM-DD HH:MM:SS[.ffffff]+00"). Throws
  // ConnectionError. With `use_prepared` false, nothing is prepared (for PgBouncer in
  // transaction mode before 1.21); `statement_cache_size` bounds the tenant statements kept
  // prepared (db/statement_cache.h). A non-zero `statement_timeout` becomes the session's
  // default, so transactions that use it need not send SET LOCAL (see db/transaction.h).
  static boost::asio::awaitable<std::unique_ptr<Connection>> connect(
      boost::asio::any_io_executor executor, const std::string& conninfo,
      std::chrono::milliseconds timeout, bool use_prepared = true,
      std::size_t statement_cache_size = 256,
      std::chrono::milliseconds statement_timeout = std::chrono::milliseconds(0));

  // Sends every statement, then one sync, and reads every result: one round trip.
  // Throws the DbError of the first failing statement (the rest are skipped by the server).
  boost::asio::awaitable<std::vector<Result>> pipeline(std::span<const Statement> statements,
                                                       Deadline deadline = kNoDeadline);
  boost::asio::awaitable<Result> exec(const Statement& statement, Deadline deadline = kNoDeadline);
  // Runs SQL text with several statements (migrations) through the simple query protocol.
  boost::asio::awaitable<void> exec_script(std::string_view sql, Deadline deadline = kNoDeadline);
  // Waits for the next NOTIFY on a channel this connection LISTENs to (no deadline; cancellable).
  boost::asio::awaitable<Notification> next_notification();

  const StatementCache& statement_cache() const { return statement_cache_; }

  // A connection that failed at the socket level; the pool discards it.
  bool broken() const { return broken_; }
  void mark_broken() { broken_ = true; }

 private:
  struct Socket;
  Connection(pg_conn* conn, std::unique_ptr<Socket> socket);
  class Armed;
  boost::asio::awaitable<void> flush(Armed& armed);
  boost::asio::awaitable<void> wait_readable(Armed& armed);
  boost::asio::awaitable<std::vector<Result>> run_pipeline(std::span<const Statement> statements,
                                                           Armed& armed);
  // After a wait ended early (deadline or cancellation): cancel the server's statement, mark the
  // connection broken and throw QueryTimeout or operation_aborted.
  [[noreturn]] void abandon(Armed& armed);
  [[noreturn]] void fail(const std::string& what);

  pg_conn* conn_;
  std::unique_ptr<Socket> socket_;
  struct Watch;
  std::shared_ptr<Watch> watch_;
  bool broken_ = false;
  bool use_prepared_ = true;
  // Fixed SQL text (core queries, BEGIN, COMMIT…) → prepared statement name on this connection.
  std::unordered_map<std::string_view, std::string> prepared_;
  // Tenant templates, per schema.
  StatementCache statement_cache_{0};
  // Evicted statements whose DEALLOCATE has not run yet (its pipeline aborted first).
  std::vector<std::string> to_deallocate_;
  std::uint64_t statements_named_ = 0;
};


}  // namespace autoblog::db
