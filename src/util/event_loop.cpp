#include "util/event_loop.h"

namespace autoblog::util {

namespace {
thread_local std::size_t this_thread_loop = 0;
}

std::size_t current_loop() { return this_thread_loop; }

void set_current_loop(std::size_t index) { this_thread_loop = index; }

}  // namespace autoblog::util
