// anyserial-servomex-modbus-rtu: the 4100 as a Modbus RTU slave. A thin shell: the session
// and the simulator live in the servomex_modbus library, generic over the framing.
#include "anyserial/servomex/modbus_plugin.hpp"

using Plugin = anyserial::servomex::ModbusPlugin<anyserial::modbus::Framing::rtu>;

ANYSERIAL_DEFINE_PLUGIN_ENTRY(anyserial::sdk::init_host, anyserial::sdk::deinit_host,
                              Plugin::get_factory);
