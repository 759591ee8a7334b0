# The HTTP endpoint (metrics, state API): the server against hostile clients, and the
# monitor's metrics read by promtool and scraped by a real Prometheus on loopback.
add_executable(serve_tests integration/serve_test.cpp)
target_link_libraries(serve_tests PRIVATE test_support blackout_serve GTest::gtest_main)
target_compile_definitions(serve_tests PRIVATE BLACKOUT_BINARY="$<TARGET_FILE:blackout>")
gtest_discover_tests(serve_tests PROPERTIES LABELS integration RUN_SERIAL TRUE DISCOVERY_TIMEOUT 60)
