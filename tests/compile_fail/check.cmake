# Compile-fail check for one snippet (run by ctest, see the block at the end of CMakeLists.txt):
#   -DCOMPILER=<c++> -DSOURCE=<snippet.cpp> -DINCLUDES=<dir|dir|...> -DDEFINES=<D|D|...>
#   -DMODE=pass   the snippet must compile (the control);
#   -DMODE=fail   it must compile as is AND fail with -DAUTOBLOG_EXPECT_COMPILE_ERROR, so the
#                 failure comes from the guarded line, not from a typo or a wrong include path.
string(REPLACE "|" ";" include_list "${INCLUDES}")
string(REPLACE "|" ";" define_list "${DEFINES}")
set(flags -std=c++20 -fsyntax-only)
foreach(dir IN LISTS include_list)
  if(dir)
    list(APPEND flags "-I${dir}")
  endif()
endforeach()
foreach(def IN LISTS define_list)
  if(def)
    list(APPEND flags "-D${def}")
  endif()
endforeach()

function(compile out_rc out_log)
  execute_process(COMMAND ${COMPILER} ${flags} ${ARGN} ${SOURCE}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${out_rc} ${rc} PARENT_SCOPE)
  set(${out_log} "${out}${err}" PARENT_SCOPE)
endfunction()

compile(rc log)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} must compile without AUTOBLOG_EXPECT_COMPILE_ERROR:\n${log}")
endif()
if(MODE STREQUAL "fail")
  compile(rc log -DAUTOBLOG_EXPECT_COMPILE_ERROR)
  if(rc EQUAL 0)
    message(FATAL_ERROR "${SOURCE} compiled with AUTOBLOG_EXPECT_COMPILE_ERROR: the type "
                        "system no longer refuses what it guards against")
  endif()
  message(STATUS "refused as expected:\n${log}")
endif()
