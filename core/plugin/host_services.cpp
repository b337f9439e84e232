// anyserial — host services for plugins: logging into spdlog, the steady clock.
#include "plugin/host_services.hpp"

#include <anyserial/sdk/status.h>

#include <algorithm>
#include <anyserial/log.hpp>
#include <anyserial/version.hpp>
#include <chrono>

namespace anyserial::plugin_detail {
namespace {

constexpr const char *kDefaultLogger = "anyserial.plugin";

log::Level to_level(int32_t level) noexcept {
    return static_cast<log::Level>(
        std::clamp<int32_t>(level, ANYSERIAL_LOG_TRACE, ANYSERIAL_LOG_CRITICAL));
}

}  // namespace

HostServices::HostServices(std::uint32_t major, std::uint32_t minor, std::uint32_t patch) {
    c_.struct_size = sizeof(anyserial_host_t);
    c_.abi_major = major;
    c_.abi_minor = minor;
    c_.abi_patch = patch;
    c_.host_name = "anyserial";
    c_.host_version = version().data();  // a string literal: NUL-terminated
    c_.host_data = this;
    c_.log = &log_cb;
    c_.log_enabled = &log_enabled_cb;
    c_.monotonic_ns = &monotonic_ns_cb;
    c_.get_extension = &get_extension_cb;
}

void HostServices::start_capture() {
    std::lock_guard lock(mutex_);
    captured_.clear();
    capturing_ = true;
}

std::string HostServices::stop_capture() {
    std::lock_guard lock(mutex_);
    capturing_ = false;
    return std::move(captured_);
}

void HostServices::log_cb(const anyserial_host_t *host, int32_t level, const char *logger,
                          const char *msg) {
    if (msg == nullptr) return;
    const char *name = (logger != nullptr && logger[0] != '\0') ? logger : kDefaultLogger;
    const log::Level lvl = to_level(level);
    if (host != nullptr && host->host_data != nullptr) {
        auto *self = static_cast<HostServices *>(host->host_data);
        if (self->capturing_ && lvl >= log::Level::warn) {
            std::lock_guard lock(self->mutex_);
            try {
                self->captured_ = msg;
            } catch (...) {
            }
        }
    }
    log::write(name, lvl, msg);
}

int32_t HostServices::log_enabled_cb(const anyserial_host_t *, int32_t level, const char *) {
    return log::enabled(to_level(level)) ? 1 : 0;
}

uint64_t HostServices::monotonic_ns_cb(const anyserial_host_t *) {
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
}

const void *HostServices::get_extension_cb(const anyserial_host_t *, const char *) {
    return nullptr;  // no host extensions in ABI 1.0
}

std::string status_text(std::int32_t status) {
    const char *name = nullptr;
    switch (status) {
        case ANYSERIAL_OK:
            name = "ANYSERIAL_OK";
            break;
        case ANYSERIAL_DONE:
            name = "ANYSERIAL_DONE";
            break;
        case ANYSERIAL_E_NOT_SUPPORTED:
            name = "ANYSERIAL_E_NOT_SUPPORTED";
            break;
        case ANYSERIAL_E_WOULD_BLOCK:
            name = "ANYSERIAL_E_WOULD_BLOCK";
            break;
        case ANYSERIAL_E_INTERRUPTED:
            name = "ANYSERIAL_E_INTERRUPTED";
            break;
        case ANYSERIAL_E_TIMEOUT:
            name = "ANYSERIAL_E_TIMEOUT";
            break;
        case ANYSERIAL_E_IO:
            name = "ANYSERIAL_E_IO";
            break;
        case ANYSERIAL_E_DISCONNECTED:
            name = "ANYSERIAL_E_DISCONNECTED";
            break;
        case ANYSERIAL_E_BUSY:
            name = "ANYSERIAL_E_BUSY";
            break;
        case ANYSERIAL_E_NOT_FOUND:
            name = "ANYSERIAL_E_NOT_FOUND";
            break;
        case ANYSERIAL_E_INVALID_ARGUMENT:
            name = "ANYSERIAL_E_INVALID_ARGUMENT";
            break;
        case ANYSERIAL_E_UNSUPPORTED_CONFIG:
            name = "ANYSERIAL_E_UNSUPPORTED_CONFIG";
            break;
        case ANYSERIAL_E_PERMISSION:
            name = "ANYSERIAL_E_PERMISSION";
            break;
        case ANYSERIAL_E_CLOSED:
            name = "ANYSERIAL_E_CLOSED";
            break;
        case ANYSERIAL_E_CANCELLED:
            name = "ANYSERIAL_E_CANCELLED";
            break;
        case ANYSERIAL_E_NO_MEMORY:
            name = "ANYSERIAL_E_NO_MEMORY";
            break;
        case ANYSERIAL_E_PROTOCOL:
            name = "ANYSERIAL_E_PROTOCOL";
            break;
        case ANYSERIAL_E_INTERNAL:
            name = "ANYSERIAL_E_INTERNAL";
            break;
        case ANYSERIAL_E_VERSION:
            name = "ANYSERIAL_E_VERSION";
            break;
        case ANYSERIAL_E_STATE:
            name = "ANYSERIAL_E_STATE";
            break;
        case ANYSERIAL_E_BUFFER_TOO_SMALL:
            name = "ANYSERIAL_E_BUFFER_TOO_SMALL";
            break;
        default:
            name = "unknown status";
            break;
    }
    return std::string(name) + " (" + std::to_string(status) + ")";
}

}  // namespace anyserial::plugin_detail
