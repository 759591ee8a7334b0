// The detection parameters live with the other plain value types (the config fills them);
// see model/detection_params.hpp.
#pragma once

#include "model/detection_params.hpp"
