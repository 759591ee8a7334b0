# The HTTP endpoint (metrics, state API): the server against hostile clients, and the
# monitor's metrics read by promtool and scraped by a real Prometheus on loopback.
add_executable(serve_tests integration/serve_test.cpp)
target_link_libraries(serve_tests PRIVATE test_support blackout_serve GTest::gtest_main)
target_compile_definitions(serve_tests PRIVATE BLACKOUT_BINARY="$<TARGET_FILE:blackout>")
gtest_discover_tests(serve_tests PROPERTIES LABELS integration RUN_SERIAL TRUE DISCOVERY_TIMEOUT 60)

# The dashboard and its API: the live stream, bounded history, documents for 10,000
# targets, the page, and `blackout serve` following a store a monitor writes.
add_executable(serve_dashboard_tests integration/serve_dashboard_test.cpp)
target_link_libraries(serve_dashboard_tests PRIVATE test_support blackout_serve nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(serve_dashboard_tests PRIVATE BLACKOUT_BINARY="$<TARGET_FILE:blackout>")
gtest_discover_tests(serve_dashboard_tests PROPERTIES LABELS integration RUN_SERIAL TRUE DISCOVERY_TIMEOUT 60)

# The dashboard end to end in headless Chromium, driven over the DevTools protocol: the
# board, a click into a drill-down, a live update, a screenshot kept under the build tree.
add_test(NAME Dashboard.ChromiumEndToEnd
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/dashboard/chromium_e2e.sh $<TARGET_FILE:blackout> ${CMAKE_CURRENT_BINARY_DIR}/dashboard-artefacts)
set_tests_properties(Dashboard.ChromiumEndToEnd PROPERTIES LABELS "integration;dashboard" SKIP_RETURN_CODE 77 TIMEOUT 180 RUN_SERIAL TRUE)
