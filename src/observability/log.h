#pragma once
// Structured logging (docs/architecture.md): one JSON object per line on stderr,
//   {"ts":"2026-11-28T14:00:00.123Z","level":"info","msg":"...", <fields in the order given>}
// built with Boost.JSON so that messages and values are always escaped correctly. Callers pass
// request_id and tenant_id as fields whenever they know them.
//
// Lines go through spdlog's asynchronous logger: log_at() formats the line and puts it on a
// bounded queue (8192 lines), and one background thread writes the queue to stderr, so a slow
// stderr (a pipe to a log shipper) never stalls the calling I/O thread. When the queue is full
// the oldest queued line is dropped and counted instead (log_dropped_total(), exported as
// autoblog_log_messages_dropped_total). flush_logs() waits for the queue to empty; it runs by
// itself when static objects are destroyed (the end of main, exit()), and warn/error lines are
// flushed as soon as the writer reaches them. A crash (abort, SIGKILL) loses what is queued.
//
// Thread-safety: every function may be called from any thread at any time, including before
// init_logging (the level is then "info"). init_logging may be called again to change the level.
// Ownership: the logger is process-wide state private to log.cpp; logging is the one deliberate
// exception to "no global singletons", because every layer logs and threading a logger through
// each constructor would buy nothing. Nothing here takes ownership of caller data.
#include <boost/json/value.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace autoblog::observability {

enum class Level { trace, debug, info, warn, error };

// One extra key/value of a log line. The key must outlive the call (it is normally a literal).
// When a key repeats, the first occurrence wins; "ts", "level" and "msg" always come first, so a
// field cannot overwrite them.
// The constructors exist because boost::json::value cannot be copy-initialized from std::string
// or std::string_view (two user-defined conversions), which callers pass all the time.
struct LogField {
  LogField(std::string_view k, boost::json::value v) : key(k), value(std::move(v)) {}
  LogField(std::string_view k, std::string_view v)
      : key(k), value(boost::json::string_view(v.data(), v.size())) {}
  // A null pointer logs as JSON null rather than crashing in strlen.
  LogField(std::string_view k, const char* v)
      : key(k), value(v ? boost::json::value(v) : boost::json::value(nullptr)) {}
  LogField(std::string_view k, std::nullptr_t) : key(k), value(nullptr) {}

  std::string_view key;
  boost::json::value value;
};

// Sets the minimum level from its name: trace|debug|info|warn|error.
// Throws std::invalid_argument on any other name (the level is then left unchanged).
void init_logging(std::string_view level);

// Cheap (one atomic load): lets callers skip building fields for a line that would be dropped.
bool log_enabled(Level level);

void log_at(Level level, std::string_view msg, std::initializer_list<LogField> fields = {});
inline void log_debug(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  log_at(Level::debug, msg, fields);
}
inline void log_info(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  log_at(Level::info, msg, fields);
}
inline void log_warn(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  log_at(Level::warn, msg, fields);
}
inline void log_error(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  log_at(Level::error, msg, fields);
}

// Blocks until every line logged (by any thread) before the call has been written to stderr or
// dropped, for at most `timeout`; false if the time ran out (stderr is blocked). Call it before
// the process exits or forks, and in tests before reading captured stderr.
bool flush_logs(std::chrono::milliseconds timeout = std::chrono::seconds(2));

// Lines dropped because the queue was full, since the process started. Never decreases.
std::uint64_t log_dropped_total();

// Replaces the queue by one holding `capacity` lines (>= 1, else std::invalid_argument), after
// writing out what the old one holds. For start-up and tests; concurrent log calls are safe.
void set_log_queue_capacity(std::size_t capacity);

// The exact line (without the trailing newline) that log_at() writes for these arguments at time
// `ts`. Exposed so that tests can check the format without capturing stderr. Strings that are not
// valid UTF-8 are repaired (invalid bytes become U+FFFD) so that every line stays valid JSON.
std::string format_log_line(Level level, std::string_view msg,
                            std::initializer_list<LogField> fields,
                            std::chrono::system_clock::time_point ts);

// A stand-in for a secret that would otherwise be logged: "***(32 chars)". Only the length is
// kept, which helps to tell an empty or truncated secret from a full one.
std::string redact(std::string_view secret);

}  // namespace autoblog::observability
