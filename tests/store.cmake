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

# The whole monitor in virtual time: scripted probes, a real SQLite store, scenario files.
add_executable(monitor_scenario_tests monitor/replay.cpp monitor/monitor_scenario_test.cpp)
target_link_libraries(monitor_scenario_tests PRIVATE test_support blackout_monitor blackout_report GTest::gtest_main)
target_compile_definitions(monitor_scenario_tests PRIVATE BLACKOUT_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
gtest_discover_tests(monitor_scenario_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
