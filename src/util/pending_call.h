#pragma once
// One caller's wait for an answer that a multiplexed connection delivers later (auto-pipelined
// clients: redis/connection.h, db/shared_reads.h). The connection queues many calls, sends
// them together and answers them in order; each caller awaits its own call.
//
// Whoever settles first wins — the answer, a failure of the connection, or the caller's own
// cancellation (a request deadline, a client that went away, shutdown: the awaiting
// coroutine's cancellation slot) — and the others find `settled()` and do nothing. A cancelled
// call stays wherever the connection keeps it; its answer, when it comes, is dropped and never
// handed to another caller.
//
// Thread-safety: settle() may be called from any thread; the completion always runs on the
// caller's executor (which must be a strand or a single-threaded executor), and the caller's
// side (handler, slot, work guard) is touched only there. Ownership: shared; the connection
// holds a call until answered, the cancellation handler holds a weak reference.
#include <atomic>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <exception>
#include <memory>
#include <utility>

namespace autoblog::util {

template <typename T>
class PendingCall {
 public:
  using Handler = boost::asio::any_completion_handler<void(std::exception_ptr, T)>;

  // Suspends the calling coroutine until `call` is settled. `start(std::shared_ptr<Derived>)`
  // hands the new call to the connection (it runs before the caller is suspended);
  // `make(handler, executor)` builds it (a Derived of PendingCall<T> carrying the request).
  template <typename Derived, typename Make, typename Start>
  static boost::asio::awaitable<T> wait(boost::asio::any_io_executor fallback, Make make,
                                        Start start) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                       void(std::exception_ptr, T)>(
        [fallback, make = std::move(make), start = std::move(start)](auto handler) mutable {
          auto caller = boost::asio::get_associated_executor(handler, fallback);
          std::shared_ptr<Derived> call = make(Handler(std::move(handler)), std::move(caller));
          call->watch_cancellation(call);
          start(std::move(call));
        },
        boost::asio::use_awaitable);
  }

  PendingCall(Handler h, boost::asio::any_io_executor caller)
      : handler_(std::move(h)), work_(boost::asio::make_work_guard(std::move(caller))) {}
  virtual ~PendingCall() = default;

  bool settled() const { return settled_.load(std::memory_order_acquire); }

  // The caller's executor, where the completion runs. Until the call is settled (the completion
  // lets go of it).
  boost::asio::any_io_executor caller_executor() const { return work_.get_executor(); }

  // Completes the call with `error` or `value` (on the caller's executor), unless it already was.
  static void settle(const std::shared_ptr<PendingCall>& call, std::exception_ptr error, T value) {
    if (call->settled_.exchange(true, std::memory_order_acq_rel)) return;
    call->error_ = std::move(error);
    call->value_ = std::move(value);
    auto executor = call->work_.get_executor();
    boost::asio::post(executor, [call] {
      call->slot_.clear();
      Handler handler = std::move(call->handler_);
      call->work_.reset();
      std::move(handler)(call->error_, std::move(call->value_));
    });
  }

 private:
  // The slot belongs to the caller's context: assigned here (still on the caller's executor,
  // inside the initiation), cleared there (settle's completion).
  void watch_cancellation(const std::shared_ptr<PendingCall>& self) {
    slot_ = handler_.get_cancellation_slot();
    if (!slot_.is_connected()) return;
    slot_.assign([weak = std::weak_ptr<PendingCall>(self)](boost::asio::cancellation_type) {
      if (auto c = weak.lock())
        settle(c,
               std::make_exception_ptr(
                   boost::system::system_error(boost::asio::error::operation_aborted)),
               T{});
    });
  }

  Handler handler_;
  boost::asio::cancellation_slot slot_;
  // Keeps the caller's context running (its run() from returning) while we hold its handler.
  boost::asio::executor_work_guard<boost::asio::any_io_executor> work_;
  std::atomic<bool> settled_{false};
  std::exception_ptr error_;  // written by the settler before it posts the completion
  T value_{};
};

}  // namespace autoblog::util
