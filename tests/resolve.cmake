# resolve: host names through c-ares against a real nsd on loopback, hostile DNS servers,
# lab_only over resolved addresses and HTTP redirects, the monitor end to end, and a fuzz
# target over the answer reader.
add_executable(resolve_tests integration/resolve_test.cpp integration/resolve_monitor_test.cpp)
target_link_libraries(resolve_tests PRIVATE test_support blackout_resolve blackout_probes blackout_store GTest::gtest_main)
target_compile_definitions(resolve_tests PRIVATE BLACKOUT_SOURCE_DIR="${PROJECT_SOURCE_DIR}" BLACKOUT_BINARY="$<TARGET_FILE:blackout>")
gtest_discover_tests(resolve_tests PROPERTIES LABELS integration RUN_SERIAL TRUE DISCOVERY_TIMEOUT 60)
blackout_fuzz_target(resolve_answer blackout_resolve)
