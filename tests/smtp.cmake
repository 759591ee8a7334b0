# smtp check: the reply parser, a real OpenSMTPD (with STARTTLS), hostile servers, a fuzz target.
find_package(OpenSSL REQUIRED)
add_executable(smtp_tests
  unit/smtp_reply_test.cpp
  integration/smtp_test.cpp)
target_link_libraries(smtp_tests PRIVATE test_support blackout_probes OpenSSL::SSL GTest::gtest_main)
gtest_discover_tests(smtp_tests PROPERTIES LABELS integration RUN_SERIAL TRUE DISCOVERY_TIMEOUT 60)
blackout_fuzz_target(smtp_reply blackout_probes)
