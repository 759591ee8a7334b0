# smtp check: the reply parser, a real OpenSMTPD (with STARTTLS), hostile servers, a fuzz target.
find_package(OpenSSL REQUIRED)
add_executable(smtp_tests
  unit/smtp_reply_test.cpp
  integration/smtp_test.cpp)
target_link_libraries(smtp_tests PRIVATE test_support blackout_probes OpenSSL::SSL nlohmann_json::nlohmann_json GTest::gtest_main)
# The monitor against a hostile server needs the program itself.
target_compile_definitions(smtp_tests PRIVATE BLACKOUT_BINARY="$<TARGET_FILE:blackout>")
add_dependencies(smtp_tests blackout)
# The pure parser tests in it need nothing and run in parallel, as unit tests; the others
# start real servers and run alone.
gtest_discover_tests(smtp_tests TEST_FILTER "SmtpReply.*" PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
# OpenSMTPD keeps one control socket per host: its tests hold a lock, with the alert tests'.
gtest_discover_tests(smtp_tests TEST_FILTER "-SmtpReply.*" PROPERTIES LABELS integration RUN_SERIAL TRUE RESOURCE_LOCK opensmtpd DISCOVERY_TIMEOUT 60)
blackout_fuzz_target(smtp_reply blackout_probes)
