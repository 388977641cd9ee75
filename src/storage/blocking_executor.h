#pragma once
// run_blocking: awaits blocking work (file I/O, libcurl) from a coroutine without blocking the
// I/O thread that runs the coroutine.
//
// The work runs on the given thread pool; the coroutine then resumes on its OWN executor (the
// handler is posted back there), never on the pool thread, so code after the co_await keeps the
// threading guarantees of the caller (e.g. a strand). An exception thrown by the work is
// rethrown at the co_await.
//
// Ownership and lifetime: `f` is moved into the pool job and destroyed there; it must not hold
// references to coroutine locals that may die first (the awaiting coroutine stays suspended until
// the job finishes, so references to the caller's own frame are fine). The pool must outlive the
// call. Cancellation is not propagated: once started, the work runs to completion.
// Thread-safety: callable from any thread and any number of coroutines at once.
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace autoblog::storage {

template <class F>
boost::asio::awaitable<std::invoke_result_t<F>> run_blocking(boost::asio::thread_pool& pool, F f) {
  using R = std::invoke_result_t<F>;
  static_assert(!std::is_reference_v<R>, "run_blocking returns values, not references");
  // The result travels as std::optional<R> (void: a bool) so R needs no default constructor:
  // Asio's (exception_ptr, T) completion must be able to carry "no value" alongside an error.
  using Slot = std::conditional_t<std::is_void_v<R>, bool, std::optional<R>>;

  auto initiation = [&pool](auto handler, F fn) {
    // Keeps the caller's execution context alive (and its run() from returning) while the job
    // is away on the pool.
    auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
    boost::asio::post(
        pool, [handler = std::move(handler), fn = std::move(fn), work = std::move(work)]() mutable {
          std::exception_ptr error;
          Slot slot{};
          try {
            if constexpr (std::is_void_v<R>) {
              fn();
              slot = true;
            } else {
              slot.emplace(fn());
            }
          } catch (...) {
            error = std::current_exception();
          }
          auto caller = work.get_executor();
          // Posting (not invoking) the handler resumes the coroutine on its own executor.
          boost::asio::post(
              caller, [handler = std::move(handler), error, slot = std::move(slot)]() mutable {
                std::move(handler)(error, std::move(slot));
              });
          work.reset();
        });
  };

  Slot slot = co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                                   void(std::exception_ptr, Slot)>(
      std::move(initiation), boost::asio::use_awaitable, std::move(f));
  if constexpr (std::is_void_v<R>) {
    co_return;
  } else {
    co_return std::move(*slot);
  }
}

}  // namespace autoblog::storage
