# Generates a C++ source holding the committed syllable table
# (src/content/quality/cmudict_syllables.txt, made by tools/cmudict-table.mjs) as one string
# literal, so the scorer binary-searches it in read-only memory with nothing to load at run time.
# Invoked at build time: cmake -DIN=... -DOUT=... -P embed_cmudict.cmake
# The table never contains the raw-string delimiter )cmudict", so it needs no escaping.
file(READ ${IN} table)
set(content "// Generated from ${IN} by cmake/embed_cmudict.cmake. Do not edit.\n")
string(APPEND content "#include <cstddef>\n\nnamespace autoblog::content::quality::detail {\n")
string(APPEND content "extern const char kCmudictTable[];\n")
string(APPEND content "extern const std::size_t kCmudictTableSize;\n")
string(APPEND content "const char kCmudictTable[] = R\"cmudict(${table})cmudict\";\n")
string(APPEND content "const std::size_t kCmudictTableSize = sizeof(kCmudictTable) - 1;\n")
string(APPEND content "}  // namespace autoblog::content::quality::detail\n")
file(WRITE ${OUT}.tmp "${content}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
