// mock://NAME/a|b — the sync-fd mock: the core waits for readiness on the end's socket and
// calls read/write_nonblocking, which never block and never allocate (unless added latency
// is on, when writes are queued for the delivery thread of DelayLine).
#pragma once

#include <string>

#include "delay_line.hpp"
#include "mock_base.hpp"

namespace anyserial::mock {

class MockSyncBackend final : public MockBase {
  public:
    static const anyserial_backend_descriptor_t &describe() noexcept;

    MockSyncBackend() : MockBase("mock") {}
    ~MockSyncBackend() override { close(); }

    int fileno() const noexcept override { return fd(); }
    anyserial_status_t read_nonblocking(std::span<uint8_t> buf, uint32_t &n) override;
    anyserial_status_t write_nonblocking(std::span<const uint8_t> data, uint32_t &n) override;

  private:
    void on_opened() override;
    void on_closing() noexcept override { delay_.stop(); }
    void on_disconnect() noexcept override { delay_.drop(); }
    void on_latency_changed() override { delay_.set_latency(fd(), faults_.latency_ns); }
    uint32_t held_output() const noexcept override;
    void wait_output_delivered() override { delay_.wait_empty(); }
    anyserial_status_t injected() noexcept;

    DelayLine delay_;
    std::string read_what_ = "read(mock)";  // "read(mock://x/a)", built at open
    std::string write_what_ = "write(mock)";
};

}  // namespace anyserial::mock
