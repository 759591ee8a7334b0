# traceroute check: loopback and a chain of namespaces with real routers.
add_executable(traceroute_tests
  unit/traceroute_state_test.cpp
  integration/traceroute_test.cpp)
target_link_libraries(traceroute_tests PRIVATE test_support blackout_probes GTest::gtest_main)
gtest_discover_tests(traceroute_tests PROPERTIES LABELS integration RUN_SERIAL TRUE DISCOVERY_TIMEOUT 60)
