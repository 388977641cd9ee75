#include "db/connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <optional>
#include <thread>

#include "db/connection_deadline.h"
#include "db/errors.h"
#include "observability/log.h"

namespace autoblog::db {

namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// Asks the server to cancel what `conn` is running. PQcancel opens its own connection to the
// server and blocks until the server has read the request, so it runs on a short-lived thread,
// never on an I/O thread; at most kMaxCancelsInFlight run at once (past that the statement is
// left to its server-side statement_timeout, which every transaction sets).
void send_cancel_request(pg_conn* conn) {
  constexpr int kMaxCancelsInFlight = 8;
  static std::atomic<int> in_flight{0};
  if (in_flight.fetch_add(1) >= kMaxCancelsInFlight) {
    in_flight.fetch_sub(1);
    // Many clients leaving at once (a load balancer draining) would otherwise log a line each.
    static std::atomic<std::int64_t> last_log_ns{0};
    static std::atomic<std::int64_t> skipped{0};
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto n = skipped.fetch_add(1) + 1;
    auto last = last_log_ns.load();
    if (now - last >= std::chrono::nanoseconds(std::chrono::seconds(10)).count() &&
        last_log_ns.compare_exchange_strong(last, now)) {
      skipped = 0;
      observability::log_warn("PostgreSQL cancel requests skipped (too many in flight); the "
                              "statements end at their statement_timeout",
                              {{"skipped", n}});
    }
    return;
  }
  PGcancel* cancel = PQgetCancel(conn);
  if (!cancel) {
    in_flight.fetch_sub(1);
    return;
  }
  std::thread([cancel] {
    char error[256];
    if (PQcancel(cancel, error, sizeof error) != 1)
      observability::log_warn("PostgreSQL cancel request failed", {{"error", error}});
    PQfreeCancel(cancel);
    in_flight.fetch_sub(1);
  }).detach();
}

}  // namespace

Connection::Connection(pg_conn* conn, std::unique_ptr<Socket> socket)
    : conn_(conn), socket_(std::move(socket)), watch_(std::make_shared<Watch>()) {
  watch_->sd = &socket_->sd;
  watch_->timer = &socket_->timer;
}

Connection::~Connection() {
  watch_->sd = nullptr;
  watch_->timer = nullptr;
  socket_.reset();  // release the fd before libpq closes it
  PQfinish(conn_);
}

void Connection::abandon(Armed& armed) {
  broken_ = true;
  send_cancel_request(conn_);
  if (armed.fired()) throw QueryTimeout("database statement exceeded its deadline");
  throw boost::system::system_error(asio::error::operation_aborted);
}

asio::awaitable<std::unique_ptr<Connection>> Connection::connect(asio::any_io_executor executor,
                                                                  const std::string& conninfo,
                                                                  std::chrono::milliseconds timeout,
                                                                  bool use_prepared,
                                                                  std::size_t statement_cache_size,
                                                                  std::chrono::milliseconds statement_timeout) {
  const char* keys[] = {"dbname", "application_name", nullptr};
  const char* values[] = {conninfo.c_str(), "autoblog", nullptr};
  pg_conn* conn = PQconnectStartParams(keys, values, /*expand_dbname=*/1);
  if (!conn) throw ConnectionError("out of memory creating a PostgreSQL connection");
  auto give_up = [&](const std::string& why) {
    std::string msg = why + ": " + PQerrorMessage(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQfinish(conn);
    throw ConnectionError(msg);
  };
  if (PQstatus(conn) == CONNECTION_BAD) give_up("cannot connect to PostgreSQL");

  auto deadline = std::chrono::steady_clock::now() + timeout;
  PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
  while (poll != PGRES_POLLING_OK) {
    if (poll == PGRES_POLLING_FAILED) give_up("cannot connect to PostgreSQL");
    std::size_t which = 0;
    bool cancelled = false;
    {
      // The socket can change during connection (e.g. trying several hosts), so it is wrapped
      // anew for each wait, and the wrapper is gone (deregistered from epoll) before libpq may
      // close the descriptor in PQconnectPoll or PQfinish: a descriptor number reused by another
      // socket must never be deregistered by a stale wrapper.
      Socket sock(executor, PQsocket(conn));
      asio::steady_timer timer(executor, deadline);
      using namespace asio::experimental::awaitable_operators;
      auto wait_kind = poll == PGRES_POLLING_READING ? asio::posix::descriptor_base::wait_read
                                                     : asio::posix::descriptor_base::wait_write;
      auto result = co_await (sock.sd.async_wait(wait_kind, use_tuple) ||
                              timer.async_wait(use_tuple));
      which = result.index();
      if (which == 0) cancelled = std::get<0>(std::get<0>(result)) == asio::error::operation_aborted;
    }
    if (which == 1) give_up("timed out connecting to PostgreSQL");
    if (cancelled) {
      PQfinish(conn);
      throw boost::system::system_error(asio::error::operation_aborted);
    }
    poll = PQconnectPoll(conn);
  }
  if (PQsetnonblocking(conn, 1) != 0) give_up("cannot make the connection nonblocking");
  // Server notices ("... already exists, skipping") go to the structured log, not raw stderr.
  PQsetNoticeProcessor(
      conn,
      [](void*, const char* message) {
        std::string_view m(message);
        while (!m.empty() && m.back() == '\n') m.remove_suffix(1);
        observability::log_debug("postgresql notice", {{"notice", m}});
      },
      nullptr);
  auto socket = std::make_unique<Socket>(executor, PQsocket(conn));
  std::unique_ptr<Connection> out(new Connection(conn, std::move(socket)));
  out->use_prepared_ = use_prepared;
  out->statement_cache_ = StatementCache(use_prepared ? statement_cache_size : 0);
  // Session settings every transaction relies on (see connect() in the header). Sent as SET at
  // the session level: TimeZone and DateStyle are parameters PgBouncer tracks per client, and
  // search_path only matters to queries that forgot the {schema} placeholder.
  std::string session = "SET search_path TO ''; SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'";
  if (statement_timeout.count() > 0)
    session += "; SET statement_timeout TO " + std::to_string(statement_timeout.count());
  co_await out->exec_script(session, std::chrono::steady_clock::now() + timeout);
  co_return out;
}

void Connection::fail(const std::string& what) {
  broken_ = true;
  std::string msg = what + ": " + PQerrorMessage(conn_);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  throw ConnectionError(msg);
}

asio::awaitable<void> Connection::flush(Armed& armed) {
  for (;;) {
    int r = PQflush(conn_);
    if (r == 0) co_return;
    if (r < 0) fail("sending to PostgreSQL failed");
    auto [ec] = co_await socket_->sd.async_wait(asio::posix::descriptor_base::wait_write, use_tuple);
    if (ec == asio::error::operation_aborted) abandon(armed);
    if (ec) fail("waiting to send to PostgreSQL failed (" + ec.message() + ")");
  }
}

asio::awaitable<void> Connection::wait_readable(Armed& armed) {
  auto [ec] = co_await socket_->sd.async_wait(asio::posix::descriptor_base::wait_read, use_tuple);
  if (ec == asio::error::operation_aborted) abandon(armed);
  if (ec) fail("waiting for PostgreSQL failed (" + ec.message() + ")");
  if (!PQconsumeInput(conn_)) fail("reading from PostgreSQL failed");
}

struct Connection::GroupOutcome {
  Result last;           // the last result of a statement is the one that matters
  bool ok = true;
  bool aborted = false;  // skipped because an earlier statement of its pipeline failed
  std::optional<ErrorInfo> error;
};

namespace {
std::optional<Connection::ErrorInfo> error_of(PGresult* r) {
  auto st = PQresultStatus(r);
  if (st != PGRES_FATAL_ERROR && st != PGRES_NONFATAL_ERROR) return std::nullopt;
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  const char* msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  const char* constraint = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
  const char* severity = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
  std::string_view sv = severity ? severity : "";
  return Connection::ErrorInfo{state ? state : "XX000", msg ? msg : "database error",
                               constraint ? constraint : "", sv == "FATAL" || sv == "PANIC"};
}

[[noreturn]] void throw_error(const Connection::ErrorInfo& e) {
  throw_db_error(e.sqlstate, e.message, e.constraint);
}
}  // namespace

void Connection::queue_deallocate(std::string name) {
  std::string sql = "DEALLOCATE " + name;  // names are ours: "abt" + digits
  if (PQsendQueryParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) != 1)
    fail("cannot queue a deallocate");
  pending_.push_back({.kind = Pending::kDeallocate, .name = std::move(name)});
}

void Connection::queue_sync(bool ends_statement) {
  if (PQpipelineSync(conn_) != 1) fail("cannot send a pipeline sync");
  pending_.push_back({.kind = Pending::kSync, .ends_statement = ends_statement});
}

void Connection::queue_statement(const Statement& s) {
  // Reused between calls: a read costs no allocation for these.
  thread_local std::vector<const char*> values;
  thread_local std::string rendered;
  values.clear();
  for (const auto& p : s.params) values.push_back(p ? p->c_str() : nullptr);
  int n = static_cast<int>(values.size());
  const std::string* name = nullptr;
  if (s.schema) {
    StatementCache::Key key{s.sql.data(), s.schema->quoted()};
    name = use_prepared_ ? statement_cache_.find(key) : nullptr;
    if (!name) {
      rendered = render_tenant_sql(s.sql, *s.schema);
      auto admitted =
          use_prepared_ ? statement_cache_.admit(key, ++statements_named_) : std::nullopt;
      if (admitted) {
        if (admitted->evicted) to_deallocate_.push_back(std::move(*admitted->evicted));
        name = admitted->name;
        if (PQsendPrepare(conn_, name->c_str(), rendered.c_str(), n, nullptr) != 1)
          fail("cannot queue a prepare");
        pending_.push_back({.kind = Pending::kParseTemplate,
                            .sql_template = s.sql.data(),
                            .schema = s.schema->quoted(),
                            .name = *name});
      }
    }
  } else if (s.prepare && use_prepared_) {
    auto it = prepared_.find(s.sql);
    if (it == prepared_.end()) {
      auto fixed_name = "ab" + std::to_string(++statements_named_);
      std::string sql(s.sql);
      if (PQsendPrepare(conn_, fixed_name.c_str(), sql.c_str(), n, nullptr) != 1)
        fail("cannot queue a prepare");
      it = prepared_.emplace(s.sql, std::move(fixed_name)).first;
      pending_.push_back({.kind = Pending::kParseFixed, .fixed_sql = s.sql, .name = it->second});
    }
    name = &it->second;
  } else {
    rendered.assign(s.sql);
  }
  int sent = name ? PQsendQueryPrepared(conn_, name->c_str(), n, values.data(), nullptr, nullptr, 0)
                  : PQsendQueryParams(conn_, rendered.c_str(), n, nullptr, values.data(), nullptr,
                                      nullptr, 0);
  if (sent != 1) fail("cannot queue a query");
  pending_.push_back({.kind = Pending::kResult, .name = name ? *name : std::string()});
}

asio::awaitable<Connection::GroupOutcome> Connection::read_group(Armed& armed) {
  GroupOutcome out;
  for (bool first = true;; first = false) {
    while (PQisBusy(conn_)) co_await wait_readable(armed);
    PGresult* r = PQgetResult(conn_);
    // Every queued group has a result before its end; none at all is a lost connection.
    if (!r && first && PQstatus(conn_) == CONNECTION_BAD) fail("lost the connection to PostgreSQL");
    if (!r) break;
    if (PQresultStatus(r) == PGRES_PIPELINE_ABORTED) out.ok = false, out.aborted = true;
    if (auto err = error_of(r)) {
      out.ok = false;
      if (!out.error) out.error = std::move(err);
    }
    out.last = Result(r);
  }
  co_return out;
}

asio::awaitable<void> Connection::read_sync(Armed& armed) {
  for (;;) {
    while (PQisBusy(conn_)) co_await wait_readable(armed);
    PGresult* r = PQgetResult(conn_);
    // Only a connection that was lost answers nothing here (it would, forever).
    if (!r && PQstatus(conn_) == CONNECTION_BAD) fail("lost the connection to PostgreSQL");
    if (!r) continue;
    bool is_sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
    if (is_sync) co_return;
  }
}

void Connection::settle_own(const Pending& group, const GroupOutcome& outcome) {
  if (outcome.ok) return;
  switch (group.kind) {
    case Pending::kParseFixed:  // a failed (or skipped) Parse did not happen
    case Pending::kParseTemplate:
      if (group.kind == Pending::kParseFixed) {
        prepared_.erase(group.fixed_sql);
      } else {
        statement_cache_.forget({group.sql_template, group.schema});
        // It never existed on the server: an eviction of it must not be sent.
        std::erase(to_deallocate_, group.name);
      }
      failed_parses_.emplace_back(group.name, outcome.error);
      // A stream is rarely empty under load, so it is not only cleared then: names are never
      // reused, and an Execute by a failed name follows its Parse closely.
      if (failed_parses_.size() > 64)
        failed_parses_.erase(failed_parses_.begin(), failed_parses_.begin() + 32);
      break;
    case Pending::kDeallocate: {  // skipped by an earlier error: try again next time
      bool existed = std::none_of(failed_parses_.begin(), failed_parses_.end(),
                                  [&](const auto& f) { return f.first == group.name; });
      if (outcome.aborted && existed) to_deallocate_.push_back(group.name);
      break;
    }
    case Pending::kResult:
    case Pending::kSync:
      break;
  }
}

asio::awaitable<std::vector<Result>> Connection::pipeline(std::span<const Statement> statements,
                                                          Deadline deadline) {
  if (broken_) throw ConnectionError("connection is broken");
  Armed armed(*this, co_await asio::this_coro::executor, deadline);
  co_return co_await run_pipeline(statements, armed);
}

asio::awaitable<std::vector<Result>> Connection::run_pipeline(std::span<const Statement> statements,
                                                              Armed& armed) {
  if (PQenterPipelineMode(conn_) != 1) fail("cannot enter pipeline mode");
  pending_.clear();
  failed_parses_.clear();
  for (const auto& s : statements) queue_statement(s);
  // After the statements: a statement queued above still runs by a name evicted meanwhile.
  for (auto& name : std::exchange(to_deallocate_, {})) queue_deallocate(std::move(name));
  queue_sync(true);
  co_await flush(armed);

  std::vector<Result> results;
  results.reserve(statements.size());
  std::optional<ErrorInfo> first_error;
  while (pending_.front().kind != Pending::kSync) {
    Pending group = std::move(pending_.front());
    pending_.pop_front();
    auto outcome = co_await read_group(armed);
    if (outcome.error && !first_error) first_error = std::move(outcome.error);
    if (group.kind == Pending::kResult)
      results.push_back(std::move(outcome.last));
    else
      settle_own(group, outcome);
  }
  // The sync point ends the pipeline.
  co_await read_sync(armed);
  pending_.pop_front();
  if (PQexitPipelineMode(conn_) != 1) fail("cannot leave pipeline mode");
  if (first_error) throw_error(*first_error);
  co_return results;
}

void Connection::stream_queue(const Statement& statement) {
  if (broken_) throw ConnectionError("connection is broken");
  if (!streaming_) {
    if (PQenterPipelineMode(conn_) != 1) fail("cannot enter pipeline mode");
    streaming_ = true;
  }
  queue_statement(statement);
}

asio::awaitable<void> Connection::stream_flush(Deadline deadline) {
  if (broken_) throw ConnectionError("connection is broken");
  queue_sync(true);  // the batch's end (libpq sends the buffer here)
  // After the batch, each in a sync of its own: a DEALLOCATE that fails must not fail a
  // statement, and a statement of the batch still runs by a name evicted meanwhile.
  for (auto& name : std::exchange(to_deallocate_, {})) {
    queue_deallocate(std::move(name));
    queue_sync(false);
  }
  if (co_await asio::this_coro::executor != socket_->sd.get_executor())
    throw std::logic_error("a stream runs on its connection's executor");
  Armed armed(*this, deadline, Armed::StreamMode{});
  co_await flush(armed);
}

void Connection::stream_idle() {
  if (!watch_->stream_waiting) return;
  watch_->stream_waiting = false;
  socket_->timer.cancel();  // its handler sees operation_aborted and does nothing
}

bool Connection::stream_ready() const { return !pending_.empty() && !PQisBusy(conn_); }

asio::awaitable<std::optional<Result>> Connection::stream_next(Deadline deadline) {
  if (broken_) throw ConnectionError("connection is broken");
  Armed armed(*this, deadline, Armed::StreamMode{});
  Result result;
  std::optional<ErrorInfo> error;
  bool skipped = false;
  std::string ran;  // the prepared statement it ran, if any
  for (;;) {
    if (pending_.empty()) throw std::logic_error("stream_next without a statement queued");
    Pending group = std::move(pending_.front());
    pending_.pop_front();
    if (group.kind == Pending::kSync) {  // an earlier batch's end, or a DEALLOCATE's
      co_await read_sync(armed);
      continue;
    }
    auto outcome = co_await read_group(armed);
    if (group.kind != Pending::kResult) {
      if (outcome.error && !error && group.kind != Pending::kDeallocate) error = outcome.error;
      settle_own(group, outcome);
      continue;
    }
    // A statement's groups end with its result.
    result = std::move(outcome.last);
    ran = std::move(group.name);
    if (outcome.error && !error) error = std::move(outcome.error);
    skipped = outcome.aborted && !error;
    break;
  }
  // A FATAL error (the backend terminated, the server shutting down) ends the connection: a
  // failure of the connection, for every statement on it, not this statement's own error.
  if (error && error->fatal) fail("PostgreSQL closed the connection: " + error->message);
  // The batch's end, when this was its last statement: it came with the result.
  while (!pending_.empty() && pending_.front().kind == Pending::kSync &&
         pending_.front().ends_statement) {
    co_await read_sync(armed);
    pending_.pop_front();
  }
  if (error && error->sqlstate == "26000" && !ran.empty()) {
    // Run by the name of a statement whose Parse failed earlier in the stream: that failure is
    // the one to report; or whose Parse was skipped: then this did not run either.
    for (const auto& [name, parse_error] : failed_parses_) {
      if (name != ran) continue;
      if (parse_error) {
        error = parse_error;
      } else {
        error.reset();
        skipped = true;
      }
    }
  }
  if (pending_.empty()) failed_parses_.clear();
  if (error) throw_error(*error);
  if (skipped) co_return std::nullopt;
  co_return result;
}

asio::awaitable<Result> Connection::exec(const Statement& statement, Deadline deadline) {
  auto results = co_await pipeline(std::span<const Statement>(&statement, 1), deadline);
  co_return std::move(results.front());
}

asio::awaitable<void> Connection::exec_script(std::string_view sql, Deadline deadline) {
  if (broken_) throw ConnectionError("connection is broken");
  Armed armed(*this, co_await asio::this_coro::executor, deadline);
  std::string text(sql);
  if (PQsendQuery(conn_, text.c_str()) != 1) fail("cannot send a script");
  co_await flush(armed);
  std::optional<ErrorInfo> first_error;
  for (;;) {
    while (PQisBusy(conn_)) co_await wait_readable(armed);
    PGresult* r = PQgetResult(conn_);
    if (!r) break;
    auto err = error_of(r);
    if (err && !first_error) first_error = std::move(err);
    PQclear(r);
  }
  if (first_error)
    throw_db_error(first_error->sqlstate, first_error->message, first_error->constraint);
}

asio::awaitable<Notification> Connection::next_notification() {
  Armed armed(*this, co_await asio::this_coro::executor, kNoDeadline);
  for (;;) {
    if (PGnotify* n = PQnotifies(conn_)) {
      Notification out{n->relname ? n->relname : "", n->extra ? n->extra : ""};
      PQfreemem(n);
      co_return out;
    }
    co_await wait_readable(armed);
  }
}

}  // namespace autoblog::db
