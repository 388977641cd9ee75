#pragma once
// Which event loop the calling thread runs. The runtime runs one single-threaded io_context per
// I/O thread (app/runtime.h) and tags each of its threads here, so a per-loop resource (a
// partition of the database pool) is found without passing a loop through every call. Threads
// that run no loop (the CLI's caller before the runtime tags it, thread pools, tests) read 0.
// Thread-safety: a thread-local value; each thread sees only its own.
#include <cstddef>

namespace autoblog::util {

std::size_t current_loop();
// Tags the calling thread as the thread of loop `index`; for the runtime's loop threads.
void set_current_loop(std::size_t index);

}  // namespace autoblog::util
