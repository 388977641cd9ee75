#pragma once
// The program's version, for `autoblog --version`. Defined in a source generated at build time
// (cmake/version.cmake), so that a new commit recompiles only that file.
#include <string>
#include <string_view>

namespace autoblog::app {

// The release version from CMake's project(), e.g. "0.1.0".
std::string_view version();
// `git describe --tags --always --dirty` of the sources built, e.g. "733221a" or
// "v0.1.0-3-g733221a-dirty"; empty when they were not a git checkout.
std::string_view source_revision();

// "autoblog 0.1.0 (733221a)", or "autoblog 0.1.0" without a revision.
inline std::string version_line() {
  std::string line = "autoblog " + std::string(version());
  if (!source_revision().empty()) line += " (" + std::string(source_revision()) + ")";
  return line;
}

}  // namespace autoblog::app
