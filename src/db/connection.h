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
#include <deque>
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
  // Streaming (db/shared_reads.h): the connection stays in pipeline mode; statements are queued
  // in batches, each batch sent with ONE sync point, while earlier batches are still running,
  // and outcomes are read back in the order queued. One sync per batch, not per statement: a
  // sync costs the server a transaction end and a ReadyForQuery, and libpq (before 17) sends
  // the buffer at every sync, so a sync per statement was a write and a server wake-up per
  // statement (measured in docs/architecture.md: PostgreSQL's CPU per read fell from about 20
  // to about 8 µs, the server's by about a quarter). The price: a batch runs in one
  // implicit transaction, so after a statement fails the server skips the rest of its batch;
  // stream_next reports those as skipped (never run), and the caller runs them again. A
  // connection used this way is used for nothing else, and only on the executor it was
  // connected on.
  void stream_queue(const Statement& statement);  // queued in libpq; sent by stream_flush()
  // Ends the batch (its sync point) and sends it.
  boost::asio::awaitable<void> stream_flush(Deadline deadline);
  // Nothing is in flight and nothing will be for a while: stops the deadline timer the stream
  // keeps running between round trips, which would otherwise keep the event loop from running
  // out of work (shutdown waits for that) until it expires.
  void stream_idle();
  // Whether the oldest outcome can be read without waiting for the server.
  bool stream_ready() const;
  // The oldest queued statement's result; nullopt when the server skipped it, not having run
  // it, because an earlier statement of its batch failed (or it ran a prepared statement whose
  // Parse was skipped that way): run it again. Throws its own DbError (the connection stays
  // usable), or ConnectionError, QueryTimeout or operation_aborted with the connection broken().
  boost::asio::awaitable<std::optional<Result>> stream_next(Deadline deadline);

  // Waits for the next NOTIFY on a channel this connection LISTENs to (no deadline; cancellable).
  boost::asio::awaitable<Notification> next_notification();

  const StatementCache& statement_cache() const { return statement_cache_; }

  // A statement's failure as the server reported it.
  struct ErrorInfo {
    std::string sqlstate;
    std::string message;
    std::string constraint;  // the violated constraint or unique index, if any
    bool fatal = false;      // severity FATAL or PANIC: the server is closing the connection
  };

  // A connection that failed at the socket level; the pool discards it.
  bool broken() const { return broken_; }
  void mark_broken() { broken_ = true; }

 private:
  struct Socket;
  Connection(pg_conn* conn, std::unique_ptr<Socket> socket);
  class Armed;
  // One group of results to read: a statement's, one we queued for our own bookkeeping (a Parse
  // before the statement, a DEALLOCATE of an evicted statement), or a sync point.
  struct Pending {
    enum Kind { kResult, kParseFixed, kParseTemplate, kDeallocate, kSync } kind = kResult;
    std::string_view fixed_sql{};            // kParseFixed
    const char* sql_template = nullptr;      // kParseTemplate
    std::string schema{};                    // kParseTemplate
    std::string name{};           // kParse*, kDeallocate; kResult: the prepared statement it ran
    bool ends_statement = false;  // kSync: the end of a pipeline or of a streamed batch
  };
  struct GroupOutcome;
  // Queues `s` (a Parse first when it is to be prepared) into libpq and pending_; statements
  // evicted from the cache go to to_deallocate_.
  void queue_statement(const Statement& s);
  void queue_deallocate(std::string name);
  void queue_sync(bool ends_statement);
  // Reads one queued group's results (up to libpq's end-of-results marker).
  boost::asio::awaitable<GroupOutcome> read_group(Armed& armed);
  boost::asio::awaitable<void> read_sync(Armed& armed);
  // Cache bookkeeping after a Parse or a DEALLOCATE we queued ourselves.
  void settle_own(const Pending& group, const GroupOutcome& outcome);
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
  // Evicted statements whose DEALLOCATE has not run yet (not queued, or its pipeline aborted).
  std::vector<std::string> to_deallocate_;
  // What was queued and not read yet, in order.
  std::deque<Pending> pending_;
  bool streaming_ = false;
  // Prepared statements whose Parse failed in the pipeline or stream being read, with the error a
  // later Execute by that name reports instead of "prepared statement does not exist"; nullopt
  // when the server skipped the Parse (an earlier statement of its batch failed): such an
  // Execute did not run either.
  std::vector<std::pair<std::string, std::optional<ErrorInfo>>> failed_parses_;
  std::uint64_t statements_named_ = 0;
};


}  // namespace autoblog::db
