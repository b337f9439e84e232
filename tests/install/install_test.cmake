# cmake -P script run by the `install` test; see CMakeLists.txt for the -D inputs.
cmake_minimum_required(VERSION 3.25)

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${ARGN}\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

set(prefix ${WORK_DIR}/prefix)
set(echo_build ${WORK_DIR}/echo-build)
file(REMOVE_RECURSE ${WORK_DIR})
unset(ENV{ANYSERIAL_PLUGIN_PATH})  # only the installed plugins and --plugin-dir count

run_step("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(f bin/anyserial ${LIBDIR}/cmake/anyserial/anyserialConfig.cmake
          include/anyserial/plugin_host.hpp include/anyserial/sdk/entry.h
          include/anyserial/sdk/cpp/backend.hpp)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${prefix}/${f}")
  endif()
endforeach()
file(GLOB leaked ${prefix}/${LIBDIR}/anyserial/plugins/anyserial-abi-*)
if(leaked)
  message(FATAL_ERROR "test fixtures were installed: ${leaked}")
endif()

# The example must find anyserial in the temporary prefix and nowhere else.
run_step("configure echo-backend" ${CMAKE_COMMAND} -S ${EXAMPLE_DIR} -B ${echo_build}
  -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
file(STRINGS ${echo_build}/CMakeCache.txt found REGEX "^anyserial_DIR:")
string(FIND "${found}" "=${prefix}/" at)
if(at EQUAL -1)
  message(FATAL_ERROR "echo-backend found anyserial outside ${prefix}: ${found}")
endif()
run_step("build echo-backend" ${CMAKE_COMMAND} --build ${echo_build})

run_step("installed anyserial plugins" ${prefix}/bin/anyserial --log-level off plugins --json
  --plugin-dir ${echo_build})
set(json "${step_output}")
string(JSON refused_count LENGTH "${json}" refused)
if(NOT refused_count EQUAL 0)
  message(FATAL_ERROR "refused plugins: ${json}")
endif()
string(JSON count LENGTH "${json}" plugins)
set(ids)
set(echo_path)
set(mock_path)
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
  string(JSON id GET "${json}" plugins ${i} id)
  string(JSON path GET "${json}" plugins ${i} path)
  list(APPEND ids ${id})
  if(id STREQUAL "echo")
    set(echo_path ${path})
  elseif(id STREQUAL "mock")
    set(mock_path ${path})
  endif()
endforeach()
if(NOT echo_path STREQUAL "${echo_build}/anyserial-echo.so")
  message(FATAL_ERROR "echo backend not listed from ${echo_build} (ids: ${ids}): ${json}")
endif()
string(FIND "${mock_path}" "${prefix}/${LIBDIR}/anyserial/plugins/" mock_at)
if(EXPECT_MOCK AND NOT mock_at EQUAL 0)
  message(FATAL_ERROR "mock backend not loaded from the installed plugin dir: ${json}")
endif()

# An application linking anyserial::core from the prefix sees the same plugins.
# (An instrumented libanyserial needs the sanitizer runtime in the executable too.)
run_step("configure consumer" ${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR}/consumer
  -B ${WORK_DIR}/consumer-build -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
  -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  "-DCMAKE_CXX_FLAGS=${SANITIZE_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${SANITIZE_FLAGS}")
run_step("build consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/consumer-build)
run_step("run consumer" ${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${prefix}/${LIBDIR}
  ${WORK_DIR}/consumer-build/consumer ${echo_build})
if(NOT step_output STREQUAL "0.1.0 ${count} 0\n")
  message(FATAL_ERROR "consumer saw '${step_output}', expected '0.1.0 ${count} 0'")
endif()
message(STATUS "installed anyserial lists: ${ids}")

# The core issue's acceptance walk-through against the installed package alone: open a
# mock pair, bytes both ways, async_read_until, errc::busy, errc::closed.
if(EXPECT_MOCK)
  run_step("run port_consumer" ${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${prefix}/${LIBDIR}
    ${WORK_DIR}/consumer-build/port_consumer)
  if(NOT step_output STREQUAL "ok\n")
    message(FATAL_ERROR "port_consumer: ${step_output}")
  endif()
endif()

# Issue 14: the Alicat protocol plugin's folder, built a second time OUT OF TREE against the
# installed package alone (find_package(anyserial), anyserial::sdk), then loaded from its
# build directory with --plugin-dir in place of the installed copy.
set(alicat_build ${WORK_DIR}/alicat-build)
set(installed_alicat ${prefix}/${LIBDIR}/anyserial/plugins/anyserial-alicat.so)
if(NOT EXISTS ${installed_alicat})
  message(FATAL_ERROR "not installed: ${installed_alicat}")
endif()
run_step("configure alicat out of tree" ${CMAKE_COMMAND} -S ${ALICAT_DIR} -B ${alicat_build}
  -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
  "-DCMAKE_CXX_FLAGS=${SANITIZE_FLAGS}" "-DCMAKE_MODULE_LINKER_FLAGS=${SANITIZE_FLAGS}")
file(STRINGS ${alicat_build}/CMakeCache.txt found REGEX "^anyserial_DIR:")
string(FIND "${found}" "=${prefix}/" at)
if(at EQUAL -1)
  message(FATAL_ERROR "alicat found anyserial outside ${prefix}: ${found}")
endif()
run_step("build alicat out of tree" ${CMAKE_COMMAND} --build ${alicat_build})
# Only the installed SDK headers: no include path into the source tree's sdk/ or core/.
file(READ ${alicat_build}/compile_commands.json commands)
foreach(dir sdk/include core/include core host)
  string(FIND "${commands}" "-I${SOURCE_DIR}/${dir}" leak)
  if(NOT leak EQUAL -1)
    message(FATAL_ERROR "the out-of-tree alicat build used ${SOURCE_DIR}/${dir}")
  endif()
endforeach()
string(FIND "${commands}" "-isystem ${prefix}/include" uses_prefix)
string(FIND "${commands}" "-I${prefix}/include" uses_prefix_i)
if(uses_prefix EQUAL -1 AND uses_prefix_i EQUAL -1)
  message(FATAL_ERROR "the out-of-tree alicat build did not use ${prefix}/include: ${commands}")
endif()
set(built_alicat ${alicat_build}/anyserial-alicat.so)
if(NOT EXISTS ${built_alicat})
  message(FATAL_ERROR "the out-of-tree build made no ${built_alicat}")
endif()

file(REMOVE ${installed_alicat})  # two copies would claim the same protocol ids
run_step("plugins with the out-of-tree alicat" ${prefix}/bin/anyserial --log-level off plugins
  --json --plugin-dir ${alicat_build})
set(json "${step_output}")
string(JSON refused_count LENGTH "${json}" refused)
if(NOT refused_count EQUAL 0)
  message(FATAL_ERROR "refused plugins with the out-of-tree alicat: ${json}")
endif()
string(JSON count LENGTH "${json}" plugins)
math(EXPR last "${count} - 1")
set(alicat_ids)
foreach(i RANGE ${last})
  string(JSON id GET "${json}" plugins ${i} id)
  string(JSON path GET "${json}" plugins ${i} path)
  if(id STREQUAL "alicat" OR id STREQUAL "alicat-stream")
    if(NOT path STREQUAL "${built_alicat}")
      message(FATAL_ERROR "protocol ${id} loaded from ${path}, not ${built_alicat}: ${json}")
    endif()
    list(APPEND alicat_ids ${id})
  endif()
endforeach()
if(NOT alicat_ids STREQUAL "alicat;alicat-stream")
  message(FATAL_ERROR "the out-of-tree alicat plugin offered '${alicat_ids}': ${json}")
endif()
message(STATUS "out-of-tree alicat plugin loaded from ${built_alicat}")
# The conformance checker of the installed CLI passes the out-of-tree copy too (time limits
# relaxed: this test is about conformance, not speed, and may run under a sanitizer).
run_step("plugin-check of the out-of-tree alicat" ${prefix}/bin/anyserial --log-level off
  plugin-check ${built_alicat} --seed 1 --time-scale 10)
message(STATUS "plugin-check passed for ${built_alicat}")
