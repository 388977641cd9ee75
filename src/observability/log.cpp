#include "observability/log.h"

#include <spdlog/async_logger.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/sinks/sink.h>

#include <atomic>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>

#include "util/time.h"
#include "util/utf8.h"

namespace autoblog::observability {

namespace {

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::trace:
      return spdlog::level::trace;
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
  }
  return spdlog::level::err;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::trace:
      return "trace";
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "error";
}

using util::is_valid_utf8;
using util::repair_utf8;

// `s` itself when it is valid UTF-8 (the common case, no copy), else a repaired copy in `scratch`.
std::string_view utf8_safe(std::string_view s, std::string& scratch) {
  if (is_valid_utf8(s)) return s;
  scratch = repair_utf8(s);
  return scratch;
}

void repair_value(boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::string: {
      const boost::json::string& str = v.get_string();
      const std::string_view sv(str.data(), str.size());
      if (!is_valid_utf8(sv)) v = repair_utf8(sv);
      break;
    }
    case boost::json::kind::array:
      for (auto& element : v.get_array()) repair_value(element);
      break;
    case boost::json::kind::object: {
      boost::json::object& obj = v.get_object();
      bool keys_valid = true;
      for (const auto& kv : obj)
        keys_valid =
            keys_valid && is_valid_utf8(std::string_view(kv.key().data(), kv.key().size()));
      if (keys_valid) {
        for (auto& kv : obj) repair_value(kv.value());
        break;
      }
      boost::json::object fixed(obj.storage());
      for (auto& kv : obj) {
        const std::string key = repair_utf8(std::string_view(kv.key().data(), kv.key().size()));
        boost::json::value& copy = fixed[key] = kv.value();
        repair_value(copy);
      }
      v = std::move(fixed);
      break;
    }
    default:
      break;
  }
}

// Writes each line to stderr with one fwrite (stderr is unbuffered, so a line is never split
// between this and another writer) and counts what it wrote, which flush_logs() waits on.
// Runs on the queue's worker thread only.
class CountingStderrSink final : public spdlog::sinks::sink {
 public:
  void log(const spdlog::details::log_msg& msg) override {
    line_.assign(msg.payload.data(), msg.payload.size());
    line_.push_back('\n');
    std::fwrite(line_.data(), 1, line_.size(), stderr);
    {
      std::lock_guard lock(mutex_);
      ++written_;
    }
    written_cv_.notify_all();
  }
  void flush() override { std::fflush(stderr); }
  void set_pattern(const std::string&) override {}
  void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

  // Waits until `target` lines have been written or dropped; false on timeout.
  template <typename DroppedFn>
  bool wait_for(std::uint64_t target, DroppedFn dropped, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    for (;;) {
      if (written_ + dropped() >= target) return true;
      // A drop wakes nobody, so look again now and then instead of only on a write.
      const auto wake =
          std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(20));
      if (written_cv_.wait_until(lock, wake) == std::cv_status::timeout &&
          std::chrono::steady_clock::now() >= deadline) {
        return written_ + dropped() >= target;
      }
    }
  }

 private:
  std::string line_;  // reused: one allocation for the life of the worker
  std::mutex mutex_;
  std::condition_variable written_cv_;
  std::uint64_t written_ = 0;
};

// One bounded queue, its worker thread and the logger feeding it.
struct Pipeline {
  explicit Pipeline(std::size_t capacity)
      : pool(std::make_shared<spdlog::details::thread_pool>(capacity, 1)),
        sink(std::make_shared<CountingStderrSink>()),
        // overrun_oldest: a full queue drops (and counts) its oldest line instead of blocking the
        // caller, which is usually an I/O thread.
        logger(std::make_shared<spdlog::async_logger>(
            "autoblog", sink, pool, spdlog::async_overflow_policy::overrun_oldest)) {
    logger->set_level(spdlog::level::trace);  // filtering happens in log_enabled()
    // Written as soon as the worker reaches them, then flushed (stderr is unbuffered, but a sink
    // that buffers would be too).
    logger->flush_on(spdlog::level::warn);
  }
  // Joins the worker after it has written everything still queued.
  ~Pipeline() = default;

  std::uint64_t dropped() const { return pool->overrun_counter(); }
  bool drain(std::chrono::milliseconds timeout) {
    return sink->wait_for(
        enqueued.load(), [this] { return dropped(); }, timeout);
  }

  std::shared_ptr<spdlog::details::thread_pool> pool;
  std::shared_ptr<CountingStderrSink> sink;
  std::shared_ptr<spdlog::async_logger> logger;
  std::atomic<std::uint64_t> enqueued{0};
};

constexpr std::size_t kDefaultQueueCapacity = 8192;

// Process-wide state, created on first use so that logging works before init_logging (and from
// static initializers). Deliberately leaked: threads and static destructors that log during exit
// must never find it destroyed. Not registered with spdlog's global registry, so no name can
// clash with it.
struct State {
  std::atomic<int> level{static_cast<int>(Level::info)};
  std::shared_mutex mutex;  // shared: every log call; exclusive: replacing the pipeline
  std::unique_ptr<Pipeline> pipeline = std::make_unique<Pipeline>(kDefaultQueueCapacity);
  std::atomic<std::uint64_t> dropped_by_replaced{0};
};

// Flushes the queue when static objects are destroyed (the end of main or exit()), for a caller
// that did not call flush_logs() itself.
struct FlushAtExit {
  ~FlushAtExit() { flush_logs(); }
};

State& state() {
  static State* const instance = new State();
  static FlushAtExit flush_at_exit;  // constructed after, so destroyed before, any user of it
  return *instance;
}

}  // namespace

void init_logging(std::string_view level) {
  Level parsed;
  if (level == "trace") {
    parsed = Level::trace;
  } else if (level == "debug") {
    parsed = Level::debug;
  } else if (level == "info") {
    parsed = Level::info;
  } else if (level == "warn") {
    parsed = Level::warn;
  } else if (level == "error") {
    parsed = Level::error;
  } else {
    throw std::invalid_argument("unknown log level \"" + std::string(level) +
                                "\" (expected trace, debug, info, warn or error)");
  }
  state().level.store(static_cast<int>(parsed), std::memory_order_relaxed);
}

bool log_enabled(Level level) {
  return static_cast<int>(level) >= state().level.load(std::memory_order_relaxed);
}

void log_at(Level level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (!log_enabled(level)) return;
  // Logging runs in catch blocks and destructors; it must never become the caller's failure.
  // The only realistic error here is bad_alloc, and spdlog reports its own sink errors itself.
  try {
    const std::string line = format_log_line(level, msg, fields, std::chrono::system_clock::now());
    State& s = state();
    std::shared_lock lock(s.mutex);
    s.pipeline->enqueued.fetch_add(1);
    s.pipeline->logger->log(to_spdlog(level), spdlog::string_view_t(line.data(), line.size()));
  } catch (...) {
  }
}

bool flush_logs(std::chrono::milliseconds timeout) {
  State& s = state();
  std::shared_lock lock(s.mutex);
  return s.pipeline->drain(timeout);
}

void set_log_queue_capacity(std::size_t capacity) {
  if (capacity == 0) throw std::invalid_argument("the log queue needs room for one line");
  auto fresh = std::make_unique<Pipeline>(capacity);
  State& s = state();
  std::unique_ptr<Pipeline> old;
  {
    std::unique_lock lock(s.mutex);
    old = std::exchange(s.pipeline, std::move(fresh));
  }
  // No caller can reach `old` any more: write out what it holds, then retire it.
  old->drain(std::chrono::seconds(2));
  s.dropped_by_replaced.fetch_add(old->dropped());
}

std::uint64_t log_dropped_total() {
  State& s = state();
  std::shared_lock lock(s.mutex);
  return s.dropped_by_replaced.load() + s.pipeline->dropped();
}

std::string format_log_line(Level level, std::string_view msg,
                            std::initializer_list<LogField> fields,
                            std::chrono::system_clock::time_point ts) {
  // A typical line fits in this buffer, so building it costs no heap allocation besides the
  // result string.
  unsigned char buffer[2048];
  boost::json::monotonic_resource resource(buffer, sizeof buffer);
  boost::json::object line(&resource);
  line.reserve(3 + fields.size());

  std::string scratch;
  line.emplace("ts", util::format_rfc3339_millis(ts));
  line.emplace("level", level_name(level));
  line.emplace("msg", utf8_safe(msg, scratch));
  for (const LogField& field : fields) {
    // emplace keeps the first value of a key, so fields cannot overwrite ts, level or msg.
    auto [it, inserted] = line.emplace(utf8_safe(field.key, scratch), field.value);
    if (inserted) repair_value(it->value());
  }
  return boost::json::serialize(line);
}

std::string redact(std::string_view secret) {
  return "***(" + std::to_string(secret.size()) + " chars)";
}

}  // namespace autoblog::observability
