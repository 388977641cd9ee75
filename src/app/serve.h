#pragma once
#include "app/config.h"

namespace autoblog::app {

// `autoblog serve`: the composition root. Builds every component explicitly, serves until
// SIGINT/SIGTERM, drains in-flight requests, stops the embedded database. Returns the exit code.
int serve(const Config& config);

}  // namespace autoblog::app
