// CLI wiring only; see app/cli.cpp.
#include "app/cli.h"

int main(int argc, char** argv) { return autoblog::app::run_cli(argc, argv); }
