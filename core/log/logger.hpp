// anyserial — core-internal access to the spdlog loggers behind anyserial/log.hpp.
//
//     #include "log/logger.hpp"
//     anyserial::log::logger("anyserial.port").debug("opened {}", path);
//
// The returned logger lives until process exit and already carries the global level.
#pragma once

#include <spdlog/logger.h>

#include <string_view>

namespace anyserial::log {

spdlog::logger &logger(std::string_view name);

}  // namespace anyserial::log
