# Alerts: the notifier in virtual time (unit), and delivery to real receivers on loopback:
# an HTTP receiver that fails and recovers, and OpenSMTPD delivering into a maildir.
add_executable(alert_unit_tests unit/alert_test.cpp)
target_link_libraries(alert_unit_tests PRIVATE blackout_alert blackout_config nlohmann_json::nlohmann_json GTest::gtest_main)
gtest_discover_tests(alert_unit_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)

add_executable(alert_delivery_tests integration/alert_delivery_test.cpp)
target_link_libraries(alert_delivery_tests PRIVATE test_support blackout_alert nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(alert_delivery_tests PRIVATE BLACKOUT_BINARY="$<TARGET_FILE:blackout>")
# OpenSMTPD keeps one control socket per host: the e-mail tests hold a lock, with the smtp tests'.
gtest_discover_tests(alert_delivery_tests PROPERTIES LABELS integration RUN_SERIAL TRUE RESOURCE_LOCK opensmtpd DISCOVERY_TIMEOUT 60)
