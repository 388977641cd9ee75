#include "observability/log.h"

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>
#include <memory>
#include <stdexcept>

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

// Created on first use so that logging works before init_logging (and from static initializers).
// Deliberately leaked: threads and static destructors that log during exit must never find it
// destroyed. Not registered with spdlog's global registry, so no name can clash with it.
spdlog::logger& logger() {
  static spdlog::logger* const instance = [] {
    auto* l = new spdlog::logger("autoblog", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");  // the message already is the whole JSON line
    l->set_level(spdlog::level::info);
    l->flush_on(spdlog::level::warn);
    return l;
  }();
  return *instance;
}

// RFC 3339 UTC with milliseconds, e.g. 2026-11-28T14:00:00.123Z.
std::string format_timestamp(std::chrono::system_clock::time_point ts) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(ts);
  const auto millis = static_cast<int>(duration_cast<milliseconds>(ts - secs).count());
  const std::time_t t = system_clock::to_time_t(secs);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  buf[n++] = '.';
  buf[n++] = static_cast<char>('0' + millis / 100);
  buf[n++] = static_cast<char>('0' + millis / 10 % 10);
  buf[n++] = static_cast<char>('0' + millis % 10);
  buf[n++] = 'Z';
  return std::string(buf, n);
}

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if it is not one (stray
// continuation byte, overlong form, surrogate, beyond U+10FFFF or truncated).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  std::size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  return len;
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

// Boost.JSON escapes quotes and control characters but passes bytes >= 0x80 through unchecked;
// raw request data (paths, headers) would otherwise make a line unparseable for log shippers.
std::string repair_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

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

}  // namespace

void init_logging(std::string_view level) {
  spdlog::level::level_enum parsed;
  if (level == "trace") {
    parsed = spdlog::level::trace;
  } else if (level == "debug") {
    parsed = spdlog::level::debug;
  } else if (level == "info") {
    parsed = spdlog::level::info;
  } else if (level == "warn") {
    parsed = spdlog::level::warn;
  } else if (level == "error") {
    parsed = spdlog::level::err;
  } else {
    throw std::invalid_argument("unknown log level \"" + std::string(level) +
                                "\" (expected trace, debug, info, warn or error)");
  }
  logger().set_level(parsed);
}

bool log_enabled(Level level) {
  return logger().should_log(to_spdlog(level));
}

void log_at(Level level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (!log_enabled(level)) return;
  // Logging runs in catch blocks and destructors; it must never become the caller's failure.
  // The only realistic error here is bad_alloc, and spdlog reports its own sink errors itself.
  try {
    const std::string line = format_log_line(level, msg, fields, std::chrono::system_clock::now());
    logger().log(to_spdlog(level), spdlog::string_view_t(line.data(), line.size()));
  } catch (...) {
  }
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
  line.emplace("ts", format_timestamp(ts));
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
