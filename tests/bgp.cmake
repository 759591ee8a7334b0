# bgp: the MRT reader over real collector archives (tests/data/mrt), its bgpdump -m
# output compared with bgpdump's, broken inputs, and a fuzz target.
find_package(ZLIB REQUIRED)
find_package(BZip2 REQUIRED)
set(BLACKOUT_MRT_DATA_DIR ${CMAKE_CURRENT_SOURCE_DIR}/data/mrt)
add_executable(bgp_tests unit/mrt_test.cpp unit/archive_feed_test.cpp)  # and bgp checks answered from archives
target_link_libraries(bgp_tests PRIVATE test_support blackout_bgp ZLIB::ZLIB BZip2::BZip2 GTest::gtest_main)
target_compile_definitions(bgp_tests PRIVATE BLACKOUT_MRT_DATA_DIR="${BLACKOUT_MRT_DATA_DIR}")
gtest_discover_tests(bgp_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
add_test(NAME cli.bgp_read_matches_bgpdump
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/bgp_read_matches_bgpdump.sh $<TARGET_FILE:blackout> ${BLACKOUT_MRT_DATA_DIR})
set_tests_properties(cli.bgp_read_matches_bgpdump PROPERTIES LABELS cli SKIP_RETURN_CODE 77)
add_test(NAME cli.bgp_read_store
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/bgp_read_store.sh $<TARGET_FILE:blackout> ${BLACKOUT_MRT_DATA_DIR})
set_tests_properties(cli.bgp_read_store PROPERTIES LABELS cli SKIP_RETURN_CODE 77)
blackout_fuzz_target(mrt blackout_bgp)

# The live collector session (issue 8): BGP-4 messages, the session against fake peers
# written in the test with raw sockets, and against a real BIRD on loopback; prefix visibility,
# the bgp check kind and blackout monitor with a BGP feed.
add_executable(bgp_session_tests
  unit/bgp_message_test.cpp
  unit/bgp_visibility_test.cpp
  integration/bgp_session_test.cpp
  integration/bgp_bird_test.cpp)
target_link_libraries(bgp_session_tests PRIVATE test_support blackout_bgp blackout_store nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(bgp_session_tests PRIVATE BLACKOUT_BINARY="$<TARGET_FILE:blackout>")
add_dependencies(bgp_session_tests blackout)
# The pure parser tests in it need nothing and run in parallel, as unit tests; the others
# start real servers and run alone.
gtest_discover_tests(bgp_session_tests TEST_FILTER "BgpMessage.*:BgpVisibility.*" PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
gtest_discover_tests(bgp_session_tests TEST_FILTER "-BgpMessage.*:BgpVisibility.*" PROPERTIES LABELS integration RUN_SERIAL TRUE DISCOVERY_TIMEOUT 60)
blackout_fuzz_target(bgp_message blackout_bgp)
