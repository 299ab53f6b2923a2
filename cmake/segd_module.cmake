# segd_module(NAME DIRS <dir>... [DEPS ...]): one static library from every .cc in the given
# folders. Libraries depend on each other only through DEPS, so the layering is visible here.
function(segd_module name)
  cmake_parse_arguments(ARG "" "" "DIRS;DEPS" ${ARGN})
  set(sources "")
  foreach(dir ${ARG_DIRS})
    file(GLOB_RECURSE dir_sources CONFIGURE_DEPENDS ${dir}/*.cc)
    list(APPEND sources ${dir_sources})
  endforeach()
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/lib)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# segd_test(NAME LABEL <label> LIBS ...): a GoogleTest binary from every .cc in this folder.
function(segd_test name)
  cmake_parse_arguments(ARG "" "LABEL" "LIBS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  add_executable(${name} ${sources})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} segd_test_support GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    SEGD_BIN_DIR="${CMAKE_RUNTIME_OUTPUT_DIRECTORY}" SEGD_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  gtest_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} DISCOVERY_TIMEOUT 60)
endfunction()

# segd_program_heap(TARGET): the program allocates through tcmalloc when the build has it
# (SEGD_TCMALLOC, not sanitized); see the top-level CMakeLists.txt.
# Its tune_allocator_for_batches() (service/common/allocator.cc) is compiled for that heap.
function(segd_program_heap target)
  target_sources(${target} PRIVATE ${CMAKE_SOURCE_DIR}/service/common/allocator.cc)
  if(TARGET PkgConfig::TCMALLOC)
    target_link_libraries(${target} PRIVATE PkgConfig::TCMALLOC)
    target_compile_definitions(${target} PRIVATE SEGD_TCMALLOC_HEAP)
  endif()
endfunction()
