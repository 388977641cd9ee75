#pragma once
// The deadline machinery of db::Connection: its socket (libpq's descriptor, watched by Asio, and
// the connection's one timer), what a late deadline handler must see (Watch), and one round
// trip's deadline (Armed). Internal to db/connection.cpp, the only file that includes it.
// Thread-safety: as Connection (one user at a time); see Armed for the timer's handlers.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>

#include "db/connection.h"

namespace autoblog::db {

// libpq owns the file descriptor; the Asio descriptor only watches it and must never close it.
// The timer is the connection's statement deadline (see Armed).
struct Connection::Socket {
  boost::asio::posix::stream_descriptor sd;
  boost::asio::steady_timer timer;
  Socket(boost::asio::any_io_executor ex, int fd) : sd(ex, fd), timer(ex) {}
  ~Socket() { sd.release(); }
};

// What a deadline handler that runs late must see: whether its round is still the current one.
struct Connection::Watch {
  std::atomic<std::uint64_t> round{0};
  std::atomic<bool> fired{false};
  std::atomic<boost::asio::posix::stream_descriptor*> sd{nullptr};

  // The stream's deadline (see Armed's stream mode). Touched only on the connection's own
  // executor, where the stream runs and the timer's handler too.
  boost::asio::steady_timer* timer = nullptr;  // null once the connection is gone
  bool stream_active = false;                  // a stream round trip is under way
  Deadline stream_deadline{};                  // its deadline
  bool stream_waiting = false;                 // a wait on `timer` is pending…
  Deadline stream_expiry{};                    // …that ends then
};

// One round trip's deadline: the connection's timer, whose handler cancels the socket's waits.
// Racing every wait against a timer with awaitable operators would cost a parallel group per
// wait; one timer armed per round trip costs a timer-queue insert. The handler runs on the
// waiting coroutine's executor, so it never runs concurrently with that coroutine.
//
// The stream's round trips (stream_flush, stream_next) are many and short, back to back, each
// with a deadline a little later than the last. Arming and cancelling the timer for each cost a
// timerfd_settime system call per read whenever it was the loop's earliest timer (measured:
// about one per request on the loop without the server's sweeper). In stream mode the timer is
// left running instead: a round trip only records its deadline, and the timer is re-armed only
// when the new deadline is sooner than its expiry. When it expires, its handler cancels the wait
// if the current round trip's deadline has passed, re-arms for that deadline if not, and stops
// when no round trip is under way; stream_idle() cancels it, so that an idle loop has no work
// left (a loop that shuts down waits for that). A stream runs on the connection's own executor
// (checked in stream_flush), so all of this is on one thread.
class Connection::Armed {
 public:
  struct StreamMode {};
  Armed(Connection& c, Deadline deadline, StreamMode) : c_(c), stream_(true) {
    if (deadline == kNoDeadline) return;
    active_ = true;
    Watch& w = *c.watch_;
    w.fired = false;
    w.stream_active = true;
    w.stream_deadline = deadline;
    if (!w.stream_waiting || deadline < w.stream_expiry) arm_stream(c.watch_, deadline);
  }

  Armed(Connection& c, boost::asio::any_io_executor ex, Deadline deadline) : c_(c) {
    // Its destructor's cancel would end the stream's wait (see above) with nobody re-arming it.
    if (c.streaming_) throw std::logic_error("a streaming connection is used for nothing else");
    if (deadline == kNoDeadline) return;
    active_ = true;
    auto round = ++c.watch_->round;
    c.watch_->fired = false;
    c.socket_->timer.expires_at(deadline);
    c.socket_->timer.async_wait(
        boost::asio::bind_executor(ex, [watch = c.watch_, round](boost::system::error_code ec) {
          if (ec || watch->round.load() != round) return;
          watch->fired = true;
          if (auto* sd = watch->sd.load()) {
            boost::system::error_code ignored;
            sd->cancel(ignored);
          }
        }));
  }
  ~Armed() {
    if (!active_) return;
    if (stream_) {
      c_.watch_->stream_active = false;  // the timer runs on; its handler stops it
      return;
    }
    ++c_.watch_->round;  // a handler still queued for this round does nothing
    c_.socket_->timer.cancel();
  }
  Armed(const Armed&) = delete;
  Armed& operator=(const Armed&) = delete;
  bool fired() const { return active_ && c_.watch_->fired.load(); }

 private:
  static void arm_stream(const std::shared_ptr<Watch>& watch, Deadline at) {
    watch->stream_waiting = true;
    watch->stream_expiry = at;
    watch->timer->expires_at(at);  // aborts a later wait still pending
    watch->timer->async_wait([watch](boost::system::error_code ec) {
      // Aborted: replaced by a sooner wait (which set stream_waiting), or the connection is gone.
      if (ec || !watch->timer) return;
      watch->stream_waiting = false;
      if (!watch->stream_active) return;
      if (std::chrono::steady_clock::now() < watch->stream_deadline) {
        arm_stream(watch, watch->stream_deadline);
        return;
      }
      watch->fired = true;
      if (auto* sd = watch->sd.load()) {
        boost::system::error_code ignored;
        sd->cancel(ignored);
      }
    });
  }

  Connection& c_;
  bool active_ = false;
  bool stream_ = false;
};

}  // namespace autoblog::db
