# The lab (root): namespaces, BIRD, nginx, nsd, OpenSMTPD, floods. Serial: one lab at a time.
add_executable(lab_tests lab/lab_test.cpp)
target_link_libraries(lab_tests PRIVATE test_support blackout_lab GTest::gtest_main)
target_compile_definitions(lab_tests PRIVATE BLACKOUT_BINARY="$<TARGET_FILE:blackout>")
gtest_discover_tests(lab_tests PROPERTIES LABELS lab RUN_SERIAL TRUE DISCOVERY_TIMEOUT 60)

# Recorded lab runs (lab.yaml, ground-truth.json, results.db, the monitor's state changes and,
# for bgp-cut, the collector's MRT files),
# unpacked at configure time for the replay tests.
set(lab_runs_dir ${CMAKE_CURRENT_BINARY_DIR}/lab-runs)
file(GLOB lab_run_archives CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/data/lab-runs/*.tar.xz)
foreach(archive ${lab_run_archives})
  get_filename_component(run ${archive} NAME_WE)
  file(REMOVE_RECURSE ${lab_runs_dir}/${run})
  file(ARCHIVE_EXTRACT INPUT ${archive} DESTINATION ${lab_runs_dir}/${run})
endforeach()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${lab_run_archives})

add_executable(scenario_tests unit/scenario_test.cpp unit/lab_replay_test.cpp unit/detection_family_test.cpp)
target_link_libraries(scenario_tests PRIVATE blackout_lab blackout_bgp blackout_config blackout_store GTest::gtest_main)
target_compile_definitions(scenario_tests PRIVATE BLACKOUT_SOURCE_DIR="${PROJECT_SOURCE_DIR}" BLACKOUT_LAB_RUNS_DIR="${lab_runs_dir}")
gtest_discover_tests(scenario_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)

# Whole scenarios played and scored (minutes each): in the release build only; the sanitizer
# build runs the lab tests above.
if(NOT BLACKOUT_SANITIZE)
  foreach(scenario single-site dns-only bgp-cut vantage-down)
    add_test(NAME lab.scenario.${scenario}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/lab/run_scenario.sh $<TARGET_FILE:blackout> ${scenario})
    set_tests_properties(lab.scenario.${scenario} PROPERTIES LABELS lab RUN_SERIAL TRUE TIMEOUT 300 SKIP_RETURN_CODE 77)
  endforeach()
endif()
