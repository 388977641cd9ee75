#pragma once
// Start-up pieces shared by `serve`, `migrate` and the `tenant` commands: where the database
// is (the embedded cluster or AUTOBLOG_DATABASE_URL), the secrets, and running one coroutine to
// completion on a private io_context for the CLI commands.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "app/config.h"

namespace autoblog::db {
class EmbeddedPostgres;
}

namespace autoblog::app {

// Owns the embedded cluster when one is used (stopped on destruction if this process started
// it). Not thread-safe; lives as long as the command.
class DatabaseHandle {
 public:
  explicit DatabaseHandle(const Config& config);
  ~DatabaseHandle();
  const std::string& conninfo() const { return conninfo_; }
  bool embedded() const { return embedded_ != nullptr; }

 private:
  std::unique_ptr<db::EmbeddedPostgres> embedded_;
  std::string conninfo_;
};

// Runs `task` on `ioc` (one thread: the caller's) until it finishes; rethrows its exception.
template <class T>
T run_to_completion(boost::asio::io_context& ioc, boost::asio::awaitable<T> task) {
  std::optional<T> result;
  std::exception_ptr error;
  boost::asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e, T value) {
    if (e) error = e;
    else result.emplace(std::move(value));
  });
  ioc.restart();
  ioc.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

}  // namespace autoblog::app
