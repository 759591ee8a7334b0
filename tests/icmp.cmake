# icmp check and the ICMP packet parser it shares with traceroute.
add_executable(icmp_tests
  unit/icmp_packet_test.cpp
  integration/icmp_test.cpp)
target_link_libraries(icmp_tests PRIVATE test_support blackout_probes GTest::gtest_main)
# The pure parser tests in it need nothing and run in parallel, as unit tests; the others
# start real servers and run alone.
gtest_discover_tests(icmp_tests TEST_FILTER "IcmpPacket.*" PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
gtest_discover_tests(icmp_tests TEST_FILTER "-IcmpPacket.*" PROPERTIES LABELS integration RUN_SERIAL TRUE DISCOVERY_TIMEOUT 60)
blackout_fuzz_target(icmp_packet blackout_probes)
