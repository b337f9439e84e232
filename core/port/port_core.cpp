// anyserial — PortCore: backend glue, error capture, completion marshalling and close.
#include <anyserial/sdk/backend.h>
#include <anyserial/sdk/status.h>
#include <fmt/format.h>

#include <anyserial/detail/port_core.hpp>
#include <anyserial/sdk/cpp/abi.hpp>
#include <anyserial/sdk/cpp/text.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstring>

#include "log/logger.hpp"
#include "plugin/validate.hpp"

namespace anyserial::detail {
namespace {

void on_completion(void *user, std::int32_t status, std::uint32_t n) noexcept {
    auto *d = static_cast<DirectionState *>(user);
    if (!d->outstanding.exchange(false, std::memory_order_acq_rel)) {
        // A completion nobody started (or a second one): the buffer is not the backend's to
        // report on any more, and the one-slot arena is taken. Drop it; the next operation
        // fails with a plugin error.
        d->core->stray_completion.store(true, std::memory_order_release);
        return;
    }
    d->core->post_completion(*d, status, n);
}

// The backend's last_error() text: bounded by our buffer, by its first NUL and by the
// length it reports (whichever is shortest: none of them is trusted alone), escaped so
// that it cannot drive a terminal.
}  // namespace

std::string backend_text(const anyserial_backend_t *b) {
    return b == nullptr ? std::string() : sdk::text::last_error_of(b->control->last_error, b);
}

PortCore::PortCore(boost::asio::any_io_executor e, std::string p, const PluginHost *h,
                   const LoadedBackend *l, BackendHandle b, SerialConfig cfg)
    : ex(std::move(e)),
      io_ex(ex.target<boost::asio::io_context::executor_type>()),
      path(std::move(p)),
      device(path),
      host(h),
      loaded(l),
      backend(std::move(b)),
      raw(backend.get()),
      sync_fd(raw != nullptr && raw->sync_fd != nullptr),
      rd(*this, ex),
      wr(*this, ex),
      aux(ex),
      config(std::move(cfg)),
      collect_stats(config.collect_stats()) {
    if (loaded != nullptr) {
        const auto &d = loaded->descriptor();
        // As far as the plugin's struct_size goes (zero, i.e. unknown, beyond; NULL: all).
        platform_caps = SerialCapabilities::from_c(sdk::read_struct(d.capabilities),
                                                   d.platform != nullptr ? d.platform : "",
                                                   d.id != nullptr ? d.id : "");
        caps = platform_caps;
    }
}

PortCore::~PortCore() {
    // Every operation and worker has finished (each holds a reference): close for real,
    // releasing the fd from Asio first so that only the backend ever closes it.
    close();
    finish_close();
}

boost::system::error_code PortCore::after_open(const anyserial_config_report_t &report) {
    open = true;
    if (raw->control->capabilities != nullptr) {
        anyserial_capabilities_t dev{};
        dev.struct_size = sizeof dev;
        if (raw->control->capabilities(raw, &dev) == ANYSERIAL_OK)
            caps = resolve_capabilities(platform_caps, SerialCapabilities::from_c(dev, "", ""));
    }
    if (report.unsupported != 0) {
        auto &lg = log::logger("anyserial.port");
        if (config.unsupported_policy() == UnsupportedPolicy::warn)
            lg.warn("{}: features not applied (0x{:x}): {}", path, report.unsupported,
                    report.message);
        else
            lg.debug("{}: features not applied (0x{:x}): {}", path, report.unsupported,
                     report.message);
    }
    if (sync_fd) {
        const int fd = raw->sync_fd->fileno(raw);
        if (fd < 0) return fail(make_error_code(errc::plugin_error), "open: backend has no fd");
        boost::system::error_code ec;
        desc.emplace(ex);
        desc->assign(fd, ec);
        if (ec) return fail(ec, "open: cannot watch the backend's fd: " + ec.message());
        plain_fd = !collect_stats &&
                   (plugin_detail::sync_fd_flags(*raw->sync_fd) & ANYSERIAL_SYNC_FD_PLAIN_IO) != 0;
    }
    return {};
}

boost::system::error_code PortCore::descriptor_error(const boost::system::error_code &ec,
                                                     std::string_view what) {
    if (ec == boost::asio::error::eof)
        return fail(make_error_code(errc::disconnected),
                    fmt::format("{}: end of file after readiness", what));
    const int os = ec.category() == boost::system::system_category() ? ec.value() : 0;
    const errc e = os != 0 ? errc_from_errno(os, ErrnoContext::io) : errc::io_error;
    return fail(make_error_code(e), fmt::format("{}: {}", what, ec.message()), os);
}

boost::system::error_code PortCore::fail(boost::system::error_code ec, std::string message,
                                         int os_error) {
    last_error.code = ec;
    last_error.os_error = os_error;
    last_error.message = std::move(message);
    return ec;
}

boost::system::error_code PortCore::backend_error(std::int32_t status, ErrnoContext ctx,
                                                  std::string_view what) {
    const int os = raw != nullptr && raw->control->last_os_error != nullptr
                       ? raw->control->last_os_error(raw)
                       : 0;
    errc e = errc_from_status(status);
    // The errno is the finer truth where the status is generic (seed §10.1).
    if (os != 0 && (status == ANYSERIAL_E_IO || e == errc::io_error)) e = errc_from_errno(os, ctx);
    if (status == ANYSERIAL_E_CANCELLED) e = errc::closed;
    std::string text = backend_text(raw);
    std::string message = text.empty() ? std::string(what) : fmt::format("{}: {}", what, text);
    return fail(make_error_code(e), std::move(message), os);
}

boost::system::error_code PortCore::plugin_violation(std::string_view what) {
    faulted = true;
    std::string message = fmt::format("{} broke the ABI contract: {}", plugin_name(), what);
    log::logger("anyserial.plugin").error("{}: {}", path, message);
    return fail(make_error_code(errc::plugin_error), std::move(message));
}

std::string PortCore::plugin_name() const {
    if (loaded == nullptr) return "backend";
    return fmt::format("backend '{}' ({})", loaded->record().id, loaded->record().path.string());
}

std::int32_t PortCore::start_io(Dir d, void *data, std::uint32_t len) {
    DirectionState &s = dir(d);
    if (collect_stats) ++(d == Dir::read ? stats.read_calls : stats.write_calls);
    s.requested = len;
    s.outstanding.store(true, std::memory_order_release);
    const std::int32_t rc =
        d == Dir::read ? raw->async_io->start_read(raw, static_cast<std::uint8_t *>(data), len,
                                                   &on_completion, &s)
                       : raw->async_io->start_write(raw, static_cast<const std::uint8_t *>(data),
                                                    len, &on_completion, &s);
    // A failed start delivers no completion (one that does anyway is a stray).
    if (rc != ANYSERIAL_OK) s.outstanding.store(false, std::memory_order_release);
    return rc;
}

void PortCore::cancel_io(Dir d) noexcept {
    if (raw != nullptr && raw->async_io != nullptr && !backend_closed)
        raw->async_io->cancel(
            raw, d == Dir::read ? ANYSERIAL_DIRECTION_READ : ANYSERIAL_DIRECTION_WRITE);
}

void PortCore::post_completion(DirectionState &d, std::int32_t status, std::uint32_t n) noexcept {
    DirectionState *dp = &d;
    auto fn = [dp, status, n] {
        dp->status = status;
        dp->transferred = n;
        dp->done = true;
        dp->event.cancel();
    };
    try {
        // The concrete io_context executor honours the bound allocator: no heap use here.
        if (auto *io = ex.target<boost::asio::io_context::executor_type>())
            boost::asio::post(*io, boost::asio::bind_allocator(ArenaAllocator<void>(d.arena), fn));
        else
            boost::asio::post(ex, fn);
    } catch (...) {
        // Only bad_alloc is possible; the operation then stays parked until close.
    }
}

void PortCore::close() noexcept {
    if (closed) return;
    closed = true;
    if (break_active && raw != nullptr && !backend_closed) {
        raw->control->set_break(raw, false);
        break_active = false;
    }
    aux.cancel();
    if (desc) {
        // Wake the pending waits, and hand the fd back untouched: the backend owns it.
        boost::system::error_code ignored;
        desc->cancel(ignored);
        (void)desc->release();
        desc.reset();
    }
    if (raw != nullptr && raw->async_io != nullptr && !backend_closed)
        raw->async_io->cancel(raw, ANYSERIAL_DIRECTION_READ | ANYSERIAL_DIRECTION_WRITE);
    if (blocking_in_flight == 0) {
        finish_close();
    } else if (raw != nullptr && open && !backend_closed && raw->control->reset_output) {
        // A drain held by flow control (CTS low, XOFF) would block the worker, this close and
        // the io_context's destruction forever: discard the unsent output so it returns.
        (void)raw->control->reset_output(raw);
    }
}

void PortCore::finish_close() noexcept {
    if (backend_closed || raw == nullptr) return;
    backend_closed = true;
    if (open) raw->control->close(raw);  // delivers outstanding async completions
    open = false;
    log::logger("anyserial.port").debug("{}: closed", path);
}

}  // namespace anyserial::detail
