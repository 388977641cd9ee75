#pragma once
// The handler and middleware signatures. A middleware receives the request and the rest of the
// chain (`next`); it may answer itself or co_await next(req). Handlers and middleware must be
// safe to call concurrently from several I/O threads (they hold no per-request state).
#include <boost/asio/awaitable.hpp>
#include <functional>

#include "http/message.h"

namespace autoblog::http {

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;
using Middleware = std::function<boost::asio::awaitable<Response>(Request&, const Handler& next)>;

// Composes middleware around a final handler: the first middleware is outermost.
Handler chain(std::vector<Middleware> middleware, Handler last);

}  // namespace autoblog::http
