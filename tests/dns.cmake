# dns check: the message parser, a real nsd, hostile servers, and a fuzz target.
add_executable(dns_tests
  unit/dns_message_test.cpp
  integration/dns_test.cpp)
target_link_libraries(dns_tests PRIVATE test_support blackout_probes GTest::gtest_main)
target_compile_definitions(dns_tests PRIVATE BLACKOUT_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# The pure parser tests in it need nothing and run in parallel, as unit tests; the others
# start real servers and run alone.
gtest_discover_tests(dns_tests TEST_FILTER "DnsMessage.*" PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
gtest_discover_tests(dns_tests TEST_FILTER "-DnsMessage.*" PROPERTIES LABELS integration RUN_SERIAL TRUE DISCOVERY_TIMEOUT 60)
blackout_fuzz_target(dns_message blackout_probes)
