# traceroute check: loopback and a chain of namespaces with real routers.
add_executable(traceroute_tests
  unit/traceroute_state_test.cpp
  integration/traceroute_test.cpp)
target_link_libraries(traceroute_tests PRIVATE test_support blackout_probes GTest::gtest_main)
# The pure parser tests in it need nothing and run in parallel, as unit tests; the others
# start real servers and run alone.
gtest_discover_tests(traceroute_tests TEST_FILTER "TraceState.*" PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
gtest_discover_tests(traceroute_tests TEST_FILTER "-TraceState.*" PROPERTIES LABELS integration RUN_SERIAL TRUE DISCOVERY_TIMEOUT 60)
