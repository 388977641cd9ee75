#include "api/deadline.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace autoblog::api {

namespace asio = boost::asio;

asio::awaitable<bool> within(asio::awaitable<bool> check, std::chrono::milliseconds deadline) {
  auto executor = co_await asio::this_coro::executor;
  struct State {
    explicit State(asio::any_io_executor ex) : timer(ex) {}
    asio::steady_timer timer;
    bool ok = false;
  };
  auto state = std::make_shared<State>(executor);
  state->timer.expires_after(deadline);
  // Same executor (the request's strand) for the check's completion: no data race on state.
  asio::co_spawn(executor, std::move(check), [state](std::exception_ptr e, bool ok) {
    state->ok = !e && ok;
    state->timer.cancel();
  });
  co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return state->ok;
}

}  // namespace autoblog::api
