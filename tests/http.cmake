# http check: a real nginx (HTTP and HTTPS), hostile servers, and a fuzz target.
add_executable(http_tests integration/http_test.cpp)
target_link_libraries(http_tests PRIVATE test_support blackout_probes GTest::gtest_main)
gtest_discover_tests(http_tests PROPERTIES LABELS integration RUN_SERIAL TRUE DISCOVERY_TIMEOUT 60)
blackout_fuzz_target(http_cert_date blackout_probes)
