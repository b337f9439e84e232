// anyserial-servomex-modbus-ascii: the 4100 as a Modbus ASCII slave. A thin shell: the session
// and the simulator live in the servomex_modbus library, generic over the framing.
#include <anyserial/sdk/cpp/protocol.hpp>

#include "anyserial/servomex/descriptors.hpp"
#include "anyserial/servomex/modbus_session.hpp"
#include "anyserial/servomex/modbus_simulator.hpp"

namespace sdk = anyserial::sdk;

namespace anyserial::servomex {
namespace {

class Simulator final : public ModbusSimulator {
  public:
    explicit Simulator(const anyserial_protocol_options_t &o)
        : ModbusSimulator(modbus::Framing::ascii, o) {}
};

class Session final : public ModbusSession {
  public:
    using simulator_type = Simulator;
    static const anyserial_protocol_descriptor_t &describe() noexcept {
        return servomex::descriptor(Mode::modbus_ascii);
    }
    explicit Session(const anyserial_protocol_options_t &o)
        : ModbusSession(modbus::Framing::ascii, o) {}
};

const void *get_factory(const char *id) noexcept {
    return sdk::lookup_factory(
        id, {{ANYSERIAL_PROTOCOL_FACTORY_ID, sdk::ProtocolFactory<Session>::get()}});
}

}  // namespace
}  // namespace anyserial::servomex

ANYSERIAL_DEFINE_PLUGIN_ENTRY(sdk::init_host, sdk::deinit_host, anyserial::servomex::get_factory);
