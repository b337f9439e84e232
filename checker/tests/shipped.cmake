# plugin_check.shipped: runs the checker over every plugin the build ships (the .so files of
# the build's plugin directory: backends and protocols) and fails when any test fails.
# -DCHECKER=<anyserial-plugin-check> -DPLUGIN_DIR=<dir> -DTIME_SCALE=<n>
# The environment's ANYSERIAL_CHECK_TIME_SCALE overrides TIME_SCALE (valgrind runs).
if(DEFINED ENV{ANYSERIAL_CHECK_TIME_SCALE})
  set(TIME_SCALE $ENV{ANYSERIAL_CHECK_TIME_SCALE})
endif()
file(GLOB plugins ${PLUGIN_DIR}/*.so)
list(SORT plugins)
list(LENGTH plugins count)
if(count EQUAL 0)
  message(FATAL_ERROR "no plugin .so in ${PLUGIN_DIR}")
endif()
set(failed)
foreach(plugin IN LISTS plugins)
  execute_process(COMMAND ${CHECKER} ${plugin} --seed 1 --time-scale ${TIME_SCALE}
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  message("${out}${err}")
  if(NOT rc EQUAL 0)
    list(APPEND failed "${plugin} (exit ${rc})")
  endif()
endforeach()
if(failed)
  list(JOIN failed "\n  " text)
  message(FATAL_ERROR "plugin-check failed for ${count} plugin(s) checked:\n  ${text}")
endif()
message("plugin-check: all ${count} shipped plugins passed")
