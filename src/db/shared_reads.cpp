#include "db/shared_reads.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <deque>
#include <optional>

#include "db/pool.h"
#include "util/event_loop.h"
#include "util/pending_call.h"

namespace autoblog::db {

namespace asio = boost::asio;

// One request's statement. It owns what the statement refers to, because a cancelled caller's
// frame may be gone before the statement is sent.
struct SharedReads::Call : util::PendingCall<Result> {
  Call(Handler h, asio::any_io_executor caller, Statement&& s)
      : PendingCall(std::move(h), std::move(caller)),
        statement{s.sql, std::move(s.params), s.prepare, nullptr} {
    if (s.schema) statement.schema = &schema.emplace(*s.schema);
  }
  Statement statement;  // `sql` is a named constant; `schema` points at the member below
  std::optional<SchemaIdentifier> schema;
};

// One loop's connection and its queues. Touched only on the loop's thread (the counters are
// read from anywhere).
struct SharedReads::Lane {
  asio::any_io_executor executor;
  std::string conninfo;
  std::chrono::milliseconds connect_timeout;
  std::size_t statement_cache_size;
  std::chrono::milliseconds statement_timeout;

  std::unique_ptr<Connection> conn;
  std::deque<std::shared_ptr<Call>> queued;     // not sent yet
  // Sent, but skipped by the server (an earlier statement of the batch failed): go first in
  // the next batch, in their order.
  std::deque<std::shared_ptr<Call>> skipped;
  std::deque<std::shared_ptr<Call>> in_flight;  // sent, result not read yet, in order
  bool pumping = false;                         // pump() runs (or is about to)

  std::atomic<std::uint64_t> statements{0}, writes{0}, connections{0}, retried{0};

  // How long to wait for the server's next answer: it cancels a statement itself at
  // statement_timeout; past that plus a grace period it is not answering at all.
  Deadline deadline() const {
    return std::chrono::steady_clock::now() + statement_timeout + std::chrono::seconds(1);
  }
};

SharedReads::SharedReads(const std::vector<asio::any_io_executor>& loops,
                         const PoolOptions& options) {
  for (const auto& loop : loops) {
    auto lane = std::make_shared<Lane>();
    lane->executor = loop;
    lane->conninfo = options.conninfo;
    lane->connect_timeout = options.connect_timeout;
    lane->statement_cache_size = options.shared_reads_cache_size;
    lane->statement_timeout = options.statement_timeout;
    lanes_.push_back(std::move(lane));
  }
}

SharedReads::~SharedReads() = default;

bool SharedReads::serves(const asio::any_io_executor& executor) const {
  return !lanes_.empty() && lanes_[util::current_loop() % lanes_.size()]->executor == executor;
}

// No coroutine frame of its own: the caller awaits the pending call directly. The statement moves
// into the initiation (run once, when the caller awaits) and from there into the queued call.
asio::awaitable<Result> SharedReads::run(Statement&& statement) {
  auto lane = lanes_[util::current_loop() % lanes_.size()];
  auto executor = lane->executor;
  return util::PendingCall<Result>::wait<Call>(
      std::move(executor),
      [statement = std::move(statement)](util::PendingCall<Result>::Handler h,
                                         asio::any_io_executor caller) mutable {
        return std::make_shared<Call>(std::move(h), std::move(caller), std::move(statement));
      },
      [lane = std::move(lane)](std::shared_ptr<Call> call) {
        lane->queued.push_back(std::move(call));
        lane->statements.fetch_add(1, std::memory_order_relaxed);
        if (lane->pumping) return;
        lane->pumping = true;
        // Posted, not run now: every statement queued during this event-loop turn goes out in
        // the pump's first write.
        asio::post(lane->executor,
                   [lane] { asio::co_spawn(lane->executor, pump(lane), asio::detached); });
      });
}

asio::awaitable<void> SharedReads::pump(std::shared_ptr<Lane> lane) {
  Lane& l = *lane;
  while (!l.queued.empty() || !l.skipped.empty() || !l.in_flight.empty()) {
    std::exception_ptr failure;
    bool connecting = false;
    try {
      if (!l.conn) {
        connecting = true;
        l.conn = co_await Connection::connect(l.executor, l.conninfo, l.connect_timeout,
                                              /*use_prepared=*/true, l.statement_cache_size,
                                              l.statement_timeout);
        connecting = false;
        l.connections.fetch_add(1, std::memory_order_relaxed);
      }
      // Send what is queued whenever the next result would mean waiting for the server anyway:
      // statements that arrived while earlier ones ran go out together. Past half the limit in
      // flight, the server has enough to do: wait until it is below half, then send a full
      // batch, rather than one statement per result read.
      bool room = l.in_flight.size() < kMaxInFlight / 2;
      bool waiting = !l.queued.empty() || !l.skipped.empty();
      if (waiting && room && (l.in_flight.empty() || !l.conn->stream_ready())) {
        bool sent = false;
        for (auto* from : {&l.skipped, &l.queued}) {
          while (!from->empty() && l.in_flight.size() < kMaxInFlight) {
            auto call = std::move(from->front());
            from->pop_front();
            if (call->settled()) continue;  // its caller gave up before it was sent
            l.in_flight.push_back(std::move(call));
            l.conn->stream_queue(l.in_flight.back()->statement);
            sent = true;
          }
        }
        if (sent) {
          co_await l.conn->stream_flush(l.deadline());  // one sync point for the batch
          l.writes.fetch_add(1, std::memory_order_relaxed);
        }
        continue;
      }
      std::exception_ptr error;
      std::optional<Result> result;
      try {
        result = co_await l.conn->stream_next(l.deadline());
      } catch (...) {
        if (l.conn->broken()) throw;
        error = std::current_exception();  // this statement's own error
      }
      auto call = std::move(l.in_flight.front());
      l.in_flight.pop_front();
      if (!error && !result) {
        // Not run: an earlier statement of its batch failed. Each batch settles at least its
        // first statement, so a statement is sent again at most as often as one ahead fails.
        l.skipped.push_back(std::move(call));
        l.retried.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      Call::settle(call, error, result ? std::move(*result) : Result{});
    } catch (...) {
      failure = std::current_exception();
    }
    if (!failure) continue;
    // The connection is gone: what was in flight is lost (reads: they may or may not have run).
    // What is still queued goes to a fresh connection — unless none could be opened.
    for (auto& call : l.in_flight) Call::settle(call, failure, Result{});
    l.in_flight.clear();
    if (connecting) {
      for (auto* waiting : {&l.skipped, &l.queued}) {
        for (auto& call : *waiting) Call::settle(call, failure, Result{});
        waiting->clear();
      }
    }
    l.conn.reset();
  }
  if (l.conn) l.conn->stream_idle();
  l.pumping = false;
}

SharedReadsStats SharedReads::stats() const {
  SharedReadsStats s;
  for (const auto& lane : lanes_) {
    s.statements += lane->statements.load(std::memory_order_relaxed);
    s.writes += lane->writes.load(std::memory_order_relaxed);
    s.connections += lane->connections.load(std::memory_order_relaxed);
    s.retried += lane->retried.load(std::memory_order_relaxed);
  }
  return s;
}

}  // namespace autoblog::db
