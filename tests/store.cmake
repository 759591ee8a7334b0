# The store: both backends against one contract, the writer, crash safety and a full disk.
pkg_check_modules(TEST_SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
find_package(PostgreSQL REQUIRED)
add_executable(store_tests
  integration/store_test.cpp
  integration/store_writer_test.cpp
  integration/store_hostile_test.cpp
  integration/monitor_test.cpp)
target_link_libraries(store_tests PRIVATE test_support blackout_store blackout_config PkgConfig::TEST_SQLITE3 PostgreSQL::PostgreSQL GTest::gtest_main)
target_compile_definitions(store_tests PRIVATE BLACKOUT_BINARY="$<TARGET_FILE:blackout>")
add_dependencies(store_tests blackout)
gtest_discover_tests(store_tests PROPERTIES LABELS integration RUN_SERIAL TRUE DISCOVERY_TIMEOUT 60)
