// anyserial — SerialConnectable: a recipe (path + config) that opens later (seed §7.3).
// Constructing one performs no I/O; async_connect opens a fresh port each time.
#pragma once

#include <anyserial/config.hpp>
#include <anyserial/serial_port.hpp>
#include <string>

namespace anyserial {

struct SerialConnectable {
    std::string path;
    SerialConfig config{};

    // Completes with (error_code, SerialPort), exactly like async_open_serial_port.
    template <class Token>
    auto async_connect(boost::asio::any_io_executor ex, PluginHost &host, Token &&token) const {
        return async_open_serial_port(std::move(ex), host, path, config,
                                      std::forward<Token>(token));
    }
};

}  // namespace anyserial
