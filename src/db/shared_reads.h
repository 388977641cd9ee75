#pragma once
// Single-statement reads of many requests, multiplexed on one PostgreSQL connection per event
// loop and auto-pipelined (as redis/connection.h does for Redis): statements issued while the
// connection is busy go out together in one write, as one batch with one sync point, and
// results come back in order. The batch is one implicit transaction, hence reads only
// (TenantReadQuery, checked at compile time). A statement's error fails its own request only:
// the server skips the rest of the batch after it, and those statements are sent again (first
// in the next batch), so each batch settles at least its first statement.
//
// Why: a content read is one short statement, and with one statement per round trip most of
// the database's CPU goes to waking a backend, a recv and a send per query rather than to the
// query. Batched, a backend reads many statements per wake-up. And one connection per loop sees
// every tenant, so its statement cache holds every active tenant's statement instead of each of
// the pool's connections preparing (and building relation caches for) every tenant.
//
// Only for statements of bounded cost (a primary-key lookup, a LIMITed list): everything on a
// loop's connection waits behind the statement ahead of it. At most kMaxInFlight statements are
// in flight per connection (and once half that is, more are sent only when it is below half
// again); the rest wait their turn in memory (bounded by the requests the server admits).
//
// Failure: a statement's own error goes to its caller only. A connection that fails (server
// gone, no answer by the deadline: statement_timeout plus a grace period) fails every statement
// in flight on it (they may or may not have run: these are reads) and is replaced for the
// statements still queued. A caller cancelled meanwhile gets operation_aborted at once; its
// result is dropped when it comes.
//
// Thread-safety: a loop's lane is used only on that loop's thread: serves() tells whether the
// calling coroutine runs on a loop with a lane, and only such callers may call run(). stats()
// may be called from any thread. Ownership: owned by the Pool; must outlive every call in
// progress; a lane's connection lives as long as its last pending operation.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <vector>

#include "db/connection.h"

namespace autoblog::db {

struct PoolOptions;

struct SharedReadsStats {
  std::uint64_t statements = 0;   // run through a shared connection
  std::uint64_t writes = 0;       // writes to the server, each carrying every statement queued
  std::uint64_t connections = 0;  // opened so far
  // Sent again: the server skipped them because an earlier statement of their batch failed.
  std::uint64_t retried = 0;
};

class SharedReads {
 public:
  static constexpr std::size_t kMaxInFlight = 64;

  // One lane per loop (`loops[i]` single-threaded), each opening its connection on first use.
  SharedReads(const std::vector<boost::asio::any_io_executor>& loops, const PoolOptions& options);
  ~SharedReads();
  SharedReads(const SharedReads&) = delete;
  SharedReads& operator=(const SharedReads&) = delete;

  // Whether a coroutine running on `executor` (its own) may call run().
  bool serves(const boost::asio::any_io_executor& executor) const;
  // Runs `statement` (its schema, if any, is copied), a read only: it shares its batch's
  // implicit transaction.
  // Throws what Connection::stream_next throws, PoolTimeout-free: never waits for a pool slot.
  // Takes the statement's parameters (moved into the queued call, not copied).
  boost::asio::awaitable<Result> run(Statement&& statement);

  SharedReadsStats stats() const;

 private:
  struct Lane;
  struct Call;
  static boost::asio::awaitable<void> pump(std::shared_ptr<Lane> lane);
  std::vector<std::shared_ptr<Lane>> lanes_;
};

}  // namespace autoblog::db
