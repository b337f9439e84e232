// The device side: a 10v20 mass-flow controller (MC-100SCCM-D) at one unit id, sans-I/O
// (spec §12). It answers only its own id, so several share a line; while streaming it
// reacts only to `@@ <id>`. Faults: anyserial.protocol.simulator/2's set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alicat/codec.hpp"

namespace anyserial::alicat {

class Simulator {
  public:
    explicit Simulator(char uid = 'A');

    void feed(uint64_t now_ns, std::string_view bytes);
    // Up to cap bytes due at now_ns; *next_ns: when to call again (UINT64_MAX = after a feed).
    std::size_t poll_output(uint64_t now_ns, char *buf, std::size_t cap, uint64_t &next_ns);

    // Set a channel's value (nullopt = absent "--"); false for an unknown channel.
    bool set_value(std::string_view channel, std::optional<double> v);
    bool set_gas(int code);
    void set_status(uint64_t flags) { status_ = flags; }
    void set_fault(uint32_t fault, uint32_t param) {
        fault_ = fault;
        fault_param_ = param;
    }
    void set_interval_ms(uint32_t ms) { interval_ms_ = ms; }
    // As after `@ @`: frames from now_ns on, every interval.
    void start_streaming(uint64_t now_ns = 0) {
        streaming_ = true;
        next_frame_ns_ = now_ns;
    }
    void stop_streaming() { streaming_ = false; }

    // State as the device sees it.
    char uid() const noexcept { return uid_; }
    double setpoint() const noexcept { return setpoint_; }
    int gas() const noexcept { return gas_; }
    bool streaming() const noexcept { return streaming_; }
    bool hold() const noexcept { return hold_; }
    uint32_t interval_ms() const noexcept { return interval_ms_; }
    uint64_t requests() const noexcept { return requests_; }
    uint64_t replies() const noexcept { return replies_; }
    uint64_t frames() const noexcept { return frames_; }

    // The frame and table text, as sent (without the CR), for tests.
    std::string frame_line(bool streamed = false) const;
    std::vector<std::string> table_lines() const;
    std::vector<std::string> m_table_lines() const;

    static constexpr double full_scale = 100.0;  // SCCM

  private:
    void handle(uint64_t now_ns, std::string_view line);
    void reply(std::string_view line);
    void answer_setting(const std::vector<std::string_view> &t);
    void settle();  // flows follow the setpoint and the valve state

    char uid_;
    std::string rx_;
    std::string tx_;
    // live values (nullopt = "--")
    std::optional<double> abs_press_ = 14.62, flow_temp_ = 23.51, volu_flow_ = 0, mass_flow_ = 0;
    double setpoint_ = 0;
    int gas_ = 8;  // N2
    bool hold_ = false, closed_ = false;
    uint64_t status_ = 0;  // extra status bits set from outside
    bool streaming_ = false;
    uint32_t interval_ms_ = 50;
    uint64_t next_frame_ns_ = 0;
    uint32_t fault_ = 0, fault_param_ = 0;
    uint64_t requests_ = 0, replies_ = 0, frames_ = 0;
};

}  // namespace anyserial::alicat
