// anyserial — the control-path asynchronous operations: drain, drain_exact, send_break,
// configure and open. They are not on the hot path, so their handlers are type-erased.
#include <anyserial/sdk/status.h>
#include <fmt/format.h>

#include <algorithm>
#include <anyserial/serial_port.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <filesystem>

#include "log/logger.hpp"
#include "port/worker_pool.hpp"

namespace anyserial::detail {
namespace {

using boost::system::error_code;
namespace asio = boost::asio;

// Shared skeleton of the write-side control operations: the write guard, the closed check,
// posting immediate completions, releasing the guard before the handler runs.
class WriteSideOp {
  public:
    explicit WriteSideOp(std::shared_ptr<PortCore> c) : core_(std::move(c)) {}
    WriteSideOp(WriteSideOp &&o) noexcept
        : core_(std::move(o.core_)),
          owns_(std::exchange(o.owns_, false)),
          state_(o.state_),
          ec_(o.ec_) {}
    ~WriteSideOp() {
        if (owns_ && core_) core_->wr.busy = false;
    }

  protected:
    enum class State { starting, posted, waiting, completing };

    // True when the guard was taken; otherwise a completion was posted.
    template <class Self>
    bool acquire(Self &self) {
        if (core_->closed || !core_->open) {
            post_finish(self, make_error_code(errc::closed));
            return false;
        }
        if (core_->wr.busy) {
            post_finish(self, make_error_code(errc::busy));
            return false;
        }
        core_->wr.busy = true;
        owns_ = true;
        return true;
    }
    template <class Self>
    void post_finish(Self &self, error_code ec) {
        ec_ = ec;
        state_ = State::posted;
        auto ex = self.get_io_executor();
        asio::post(ex, asio::bind_executor(ex, std::move(self)));
    }
    // Intermediate waits run on the port's executor, whatever the handler's is.
    template <class Self>
    auto on_port(Self &self) {
        return asio::bind_executor(self.get_io_executor(), std::move(self));
    }
    // True when the operation finished: the handler runs on its own executor.
    template <class Self>
    bool completing(Self &self) {
        if (state_ != State::completing) return false;
        self.complete(ec_);
        return true;
    }
    template <class Self>
    void finish(Self &self, error_code ec) {
        if (owns_) {
            core_->wr.busy = false;
            owns_ = false;
        }
        core_.reset();
        ec_ = ec;
        state_ = State::completing;
        asio::dispatch(std::move(self));
    }

    std::shared_ptr<PortCore> core_;
    bool owns_ = false;
    State state_ = State::starting;
    error_code ec_;
};

class DrainOp : public WriteSideOp {
  public:
    using WriteSideOp::WriteSideOp;
    template <class Self>
    void operator()(Self &self, error_code ec = {}) {
        if (completing(self)) return;
        switch (state_) {
            case State::starting:
                if (!acquire(self)) return;
                return poll(self, true);
            case State::completing:
                return;
            case State::posted:
                return finish(self, ec_);
            case State::waiting:
                if (core_->closed) return finish(self, make_error_code(errc::closed));
                if (ec) return finish(self, ec);
                return poll(self, false);
        }
    }

  private:
    template <class Self>
    void poll(Self &self, bool initiating) {
        PortCore &c = *core_;
        std::uint32_t pending = 0;
        const std::int32_t rc = c.raw->control->output_waiting(c.raw, &pending);
        if (rc != ANYSERIAL_OK || pending == 0) {
            error_code e;
            if (rc != ANYSERIAL_OK) e = c.backend_error(rc, ErrnoContext::ioctl_feature, "drain");
            if (initiating) return post_finish(self, e);
            return finish(self, e);
        }
        // ~10 bits per byte on the wire; poll at most every 50 ms, at least every 1 ms.
        const double bytes_per_s = std::max(1u, c.config.baudrate() / 10u);
        const auto wait = std::chrono::duration<double>(pending / bytes_per_s);
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(wait);
        us = std::clamp<std::chrono::microseconds>(us, std::chrono::milliseconds(1),
                                                   std::chrono::milliseconds(50));
        state_ = State::waiting;
        c.aux.expires_after(us);
        c.aux.async_wait(on_port(self));
    }
};

class BreakOp : public WriteSideOp {
  public:
    BreakOp(std::shared_ptr<PortCore> c, std::chrono::nanoseconds d)
        : WriteSideOp(std::move(c)), duration_(d) {}
    template <class Self>
    void operator()(Self &self, error_code ec = {}) {
        if (completing(self)) return;
        switch (state_) {
            case State::starting: {
                if (!acquire(self)) return;
                PortCore &c = *core_;
                if (duration_.count() < 0)
                    return post_finish(self, c.fail(make_error_code(errc::invalid_argument),
                                                    "send_break: negative duration"));
                const std::int32_t rc = c.raw->control->set_break(c.raw, true);
                if (rc != ANYSERIAL_OK)
                    return post_finish(self, c.backend_error(rc, ErrnoContext::ioctl_feature,
                                                             "send_break: break on"));
                c.break_active = true;
                state_ = State::waiting;
                c.aux.expires_after(duration_);
                return c.aux.async_wait(on_port(self));
            }
            case State::completing:
                return;
            case State::posted:
                return finish(self, ec_);
            case State::waiting: {
                PortCore &c = *core_;
                // close() already de-asserted the break; otherwise do it now, whatever
                // woke us (timer, cancellation).
                if (c.break_active && !c.backend_closed) {
                    c.break_active = false;
                    const std::int32_t rc = c.raw->control->set_break(c.raw, false);
                    if (rc != ANYSERIAL_OK)
                        return finish(self, c.backend_error(rc, ErrnoContext::ioctl_feature,
                                                            "send_break: break off"));
                }
                if (c.closed) return finish(self, make_error_code(errc::closed));
                return finish(self, ec);
            }
        }
    }

  private:
    std::chrono::nanoseconds duration_;
};

class DrainExactOp : public WriteSideOp {
  public:
    using WriteSideOp::WriteSideOp;
    template <class Self>
    void operator()(Self &self, error_code = {}) {
        if (completing(self)) return;
        switch (state_) {
            case State::starting: {
                if (!acquire(self)) return;
                PortCore &c = *core_;
                c.drain_done = false;
                ++c.blocking_in_flight;
                // The worker keeps the core alive and hands its reference over to the
                // completion: the last one must never drop on the worker (~PortCore touches
                // the io_context's timers).
                run_blocking(c.ex, [core = core_]() mutable {
                    const std::int32_t rc = core->raw->control->drain_blocking(core->raw);
                    return [core = std::move(core), rc] {
                        --core->blocking_in_flight;
                        core->drain_status = rc;
                        core->drain_done = true;
                        if (core->drain_detached) {
                            // The operation already completed (cancelled or closed).
                            core->drain_detached = false;
                            core->drain_done = false;
                            core->wr.busy = false;
                        }
                        core->aux.cancel();
                        if (core->closed && core->blocking_in_flight == 0) core->finish_close();
                    };
                });
                return wait(self);
            }
            case State::completing:
                return;
            case State::posted:
                return finish(self, ec_);
            case State::waiting: {
                PortCore &c = *core_;
                if (c.drain_done) {
                    c.drain_done = false;
                    if (c.closed) return finish(self, make_error_code(errc::closed));
                    if (c.drain_status != ANYSERIAL_OK)
                        return finish(self,
                                      c.backend_error(c.drain_status, ErrnoContext::ioctl_feature,
                                                      "drain_exact"));
                    return finish(self, {});
                }
                if (c.closed || self.cancelled() != asio::cancellation_type::none) {
                    // The blocking call cannot be interrupted: complete now and leave the
                    // write guard with the worker until it returns.
                    c.drain_detached = true;
                    owns_ = false;
                    return finish(self, c.closed ? make_error_code(errc::closed)
                                                 : make_error_code(asio::error::operation_aborted));
                }
                return wait(self);
            }
        }
    }

  private:
    template <class Self>
    void wait(Self &self) {
        state_ = State::waiting;
        core_->aux.expires_at(asio::steady_timer::time_point::max());
        core_->aux.async_wait(on_port(self));
    }
};

// Configure: serialised by the configure lock; the backend applies it atomically.
struct ConfigureOp {
    std::shared_ptr<PortCore> core;
    SerialConfig config;
    bool posted = false;

    template <class Self>
    void operator()(Self &self) {
        if (!posted) {
            // Run from the executor, never inline from the initiating function.
            posted = true;
            auto ex = self.get_io_executor();
            return asio::post(ex, asio::bind_executor(ex, std::move(self)));
        }
        if (!core) return self.complete(ec_);  // back on the handler's executor
        PortCore &c = *core;
        error_code ec;
        if (c.closed || !c.open) {
            ec = make_error_code(errc::closed);
        } else {
            std::lock_guard lock(c.configure_mutex);
            const anyserial_serial_config_t cc = config.to_c();
            anyserial_config_report_t report{};
            report.struct_size = sizeof report;
            const std::int32_t rc = c.raw->control->configure(c.raw, &cc, &report);
            if (rc != ANYSERIAL_OK) {
                ec = c.backend_error(rc, ErrnoContext::ioctl_configuration, "configure");
                if (report.message[0] != '\0')
                    c.last_error.message += fmt::format(" ({})", report.message);
            } else {
                auto &lg = log::logger("anyserial.port");
                if (report.unsupported != 0) {
                    if (config.unsupported_policy() == UnsupportedPolicy::warn)
                        lg.warn("{}: configure: features not applied (0x{:x}): {}", c.path,
                                report.unsupported, report.message);
                    else
                        lg.debug("{}: configure: features not applied (0x{:x}): {}", c.path,
                                 report.unsupported, report.message);
                }
                c.config = config;
                c.collect_stats = config.collect_stats();
                anyserial_capabilities_t dev{};
                dev.struct_size = sizeof dev;
                if (c.raw->control->capabilities != nullptr &&
                    c.raw->control->capabilities(c.raw, &dev) == ANYSERIAL_OK)
                    c.caps = resolve_capabilities(c.platform_caps,
                                                  SerialCapabilities::from_c(dev, "", ""));
            }
        }
        core.reset();
        ec_ = ec;
        asio::dispatch(std::move(self));
    }
    error_code ec_;
};

}  // namespace

void start_drain(std::shared_ptr<PortCore> core, ErrorHandler h) {
    auto ex = core->ex;
    asio::async_compose<ErrorHandler, void(error_code)>(DrainOp(std::move(core)), h, ex);
}

void start_drain_exact(std::shared_ptr<PortCore> core, ErrorHandler h) {
    auto ex = core->ex;
    asio::async_compose<ErrorHandler, void(error_code)>(DrainExactOp(std::move(core)), h, ex);
}

void start_send_break(std::shared_ptr<PortCore> core, std::chrono::nanoseconds d, ErrorHandler h) {
    auto ex = core->ex;
    asio::async_compose<ErrorHandler, void(error_code)>(BreakOp(std::move(core), d), h, ex);
}

void start_configure(std::shared_ptr<PortCore> core, SerialConfig config, ErrorHandler h) {
    auto ex = core->ex;
    asio::async_compose<ErrorHandler, void(error_code)>(
        ConfigureOp{std::move(core), std::move(config), false, {}}, h, ex);
}

std::string describe_no_backend(const PluginHost &host, std::string_view path) {
    std::string claims;
    for (const LoadedBackend *b : host.backends())
        for (const std::string &c : b->record().claims)
            claims += (claims.empty() ? "" : ", ") + c + " (" + b->record().id + ")";
    if (claims.empty()) claims = "none: no backend plugin is loaded";
    std::string target;
    std::error_code ec;
    if (path.find("://") == std::string_view::npos && !path.empty()) {
        const auto real = std::filesystem::canonical(std::filesystem::path(path), ec);
        if (!ec && real.native() != path) target = fmt::format(" (a link to '{}')", real.native());
    }
    return fmt::format("no backend plugin claims '{}'{}; loaded backends claim: {}", path, target,
                       claims);
}

namespace {
// Runs the open handler on its own associated executor (inline when that is this one).
void deliver(OpenHandler h, error_code ec, SerialPort port) {
    auto hex = asio::get_associated_executor(h, port.get_executor());
    asio::dispatch(hex, [h = std::move(h), ec, p = std::move(port)]() mutable {
        std::move(h)(ec, std::move(p));
    });
}
}  // namespace

void start_open(asio::any_io_executor ex, PluginHost &host, std::string path, SerialConfig config,
                OpenHandler h) {
    auto fail_now = [&](std::shared_ptr<PortCore> core) {
        asio::post(ex, [h = std::move(h), ex, core = std::move(core)]() mutable {
            auto ec = core->last_error.code;
            deliver(std::move(h), ec, SerialPort(ex, std::move(core)));
        });
    };
    PortTarget target = host.resolve_port(path);
    const LoadedBackend *loaded = target.backend;
    if (loaded == nullptr) {
        auto core = std::make_shared<PortCore>(ex, path, &host, nullptr, BackendHandle{}, config);
        core->fail(make_error_code(errc::no_backend), describe_no_backend(host, path));
        core->closed = true;
        return fail_now(std::move(core));
    }
    BackendHandle handle;
    std::string create_error;
    try {
        handle = loaded->create();
    } catch (const std::exception &e) {
        create_error = e.what();
    }
    auto core = std::make_shared<PortCore>(ex, path, &host, loaded, std::move(handle), config);
    core->device = std::move(target.device);
    if (core->raw == nullptr) {
        core->fail(make_error_code(errc::plugin_error),
                   fmt::format("backend '{}' could not create an instance: {}", loaded->record().id,
                               create_error));
        core->closed = true;
        return fail_now(std::move(core));
    }
    // Opening may block briefly (USB negotiation): run it on the worker pool. The tracked
    // executor keeps the caller's io_context from running out of work meanwhile; it travels
    // with the result and is released on the io_context's own thread.
    auto work = asio::prefer(ex, asio::execution::outstanding_work.tracked);
    run_blocking(core->ex, [core, h = std::move(h), work = std::move(work)]() mutable {
        const anyserial_serial_config_t cc = core->config.to_c();
        anyserial_config_report_t report{};
        report.struct_size = sizeof report;
        const std::int32_t rc =
            core->raw->control->open(core->raw, core->device.c_str(), &cc, &report);
        return [core = std::move(core), h = std::move(h), work = std::move(work), rc,
                report]() mutable {
            error_code ec;
            if (rc != ANYSERIAL_OK) {
                ec = core->backend_error(
                    rc, ErrnoContext::open,
                    fmt::format("open with backend '{}'", core->loaded->record().id));
                if (report.message[0] != '\0')
                    core->last_error.message += fmt::format(" ({})", report.message);
                core->closed = true;
            } else {
                ec = core->after_open(report);
                if (ec) core->close();
            }
            auto &lg = log::logger("anyserial.port");
            if (ec)
                lg.debug("{}: open failed: {}", core->path, core->last_error.message);
            else
                lg.debug("{}: opened with backend '{}' at {}", core->path,
                         core->loaded->record().id, core->config.describe());
            auto ex3 = core->ex;
            deliver(std::move(h), ec, SerialPort(ex3, std::move(core)));
        };
    });
}

}  // namespace anyserial::detail
