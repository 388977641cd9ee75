// CLI wiring only; see app/cli.cpp.
#include "app/cli.h"
#include "observability/log.h"

int main(int argc, char** argv) {
  const int rc = autoblog::app::run_cli(argc, argv);
  // Write out queued log lines before the exit code is seen (also done at static destruction;
  // this makes the order explicit).
  autoblog::observability::flush_logs();
  return rc;
}
