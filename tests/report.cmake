# Reports: built from the recorded lab runs (unpacked by lab.cmake into ${lab_runs_dir}),
# rendered in every format through the CLI, and the HTML shown in headless Chromium. The
# rendered reports and screenshots stay in the build tree as artefacts.
add_executable(report_tests unit/report_test.cpp)
target_link_libraries(report_tests PRIVATE blackout_report blackout_config blackout_store nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(report_tests PRIVATE BLACKOUT_LAB_RUNS_DIR="${lab_runs_dir}")
gtest_discover_tests(report_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)

set(report_artefacts ${CMAKE_CURRENT_BINARY_DIR}/report-artefacts)
add_test(NAME report.cli_every_format
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/report/cli_formats.sh $<TARGET_FILE:blackout> ${lab_runs_dir} ${report_artefacts})
add_test(NAME report.chromium_screenshot
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/report/chromium_screenshot.sh $<TARGET_FILE:blackout> ${lab_runs_dir} ${report_artefacts})
set_tests_properties(report.cli_every_format report.chromium_screenshot PROPERTIES LABELS report TIMEOUT 240 SKIP_RETURN_CODE 77)
