// The 4100 Modbus plugins (RTU and ASCII) are one thin shell around the servomex_modbus
// session and simulator, differing only in the framing: each plugin.cpp instantiates
// ModbusPlugin with its framing and hands get_factory to ANYSERIAL_DEFINE_PLUGIN_ENTRY.
#pragma once

#include <anyserial/sdk/cpp/protocol.hpp>

#include "anyserial/servomex/descriptors.hpp"
#include "anyserial/servomex/modbus_session.hpp"
#include "anyserial/servomex/modbus_simulator.hpp"

namespace anyserial::servomex {

template <modbus::Framing F>
struct ModbusPlugin {
    static constexpr Mode kMode = F == modbus::Framing::rtu ? Mode::modbus_rtu : Mode::modbus_ascii;

    class Simulator final : public ModbusSimulator {
      public:
        explicit Simulator(const anyserial_protocol_options_t &o) : ModbusSimulator(F, o) {}
    };

    class Session final : public ModbusSession {
      public:
        using simulator_type = Simulator;
        static const anyserial_protocol_descriptor_t &describe() noexcept {
            return servomex::descriptor(kMode);
        }
        explicit Session(const anyserial_protocol_options_t &o) : ModbusSession(F, o) {}
    };

    static const void *get_factory(const char *id) noexcept {
        return sdk::lookup_factory(
            id, {{ANYSERIAL_PROTOCOL_FACTORY_ID, sdk::ProtocolFactory<Session>::get()}});
    }
};

}  // namespace anyserial::servomex
