// anyserial — the hot-path composed operation behind async_read_some, async_write_some,
// async_send and async_receive_available, for both backend kinds. Not a public API.
//
// Sync-fd: a read waits for readiness, then calls the non-blocking primitive; a write tries
// first and waits only on WOULD_BLOCK. WOULD_BLOCK/INTERRUPTED loop back to waiting. No
// thread, no lock, and nothing allocates beyond Asio's recycled operation memory. A backend
// whose primitives are plain read(2)/write(2) (ANYSERIAL_SYNC_FD_PLAIN_IO) lets the
// descriptor do the reads itself instead.
// Async-completion: start_* through the C table; the completion is posted (from the
// backend's thread, with per-direction arena memory) and wakes the direction's event timer.
#pragma once

#include <anyserial/sdk/status.h>

#include <algorithm>
#include <anyserial/detail/port_core.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace anyserial::detail {

enum class IoMode { some, all, available };

// The composed operation around an IoOp (in place of asio::async_compose): the user's
// handler, the operation's state and, only when the handler brings an executor of its own
// that is not the port's, outstanding work on that executor. Nothing type-erased is
// copied or tracked on the way: the port's executor has work (the pending wait, the
// posted step) for as long as the operation is in flight. The handler's cancellation slot
// is handed to each wait (and cleared at every step, so a late emit finds nothing).
template <class Impl, class Handler>
class PortOp {
    using handler_ex = boost::asio::associated_executor_t<Handler, boost::asio::any_io_executor>;
    static constexpr bool own_executor = !requires {
        typename boost::asio::associated_executor<
            Handler, boost::asio::any_io_executor>::asio_associated_executor_is_unspecialised;
    };
    struct NoWork {};
    using Work =
        std::conditional_t<own_executor,
                           std::optional<boost::asio::executor_work_guard<handler_ex>>, NoWork>;

  public:
    PortOp(Impl impl, Handler handler, const boost::asio::any_io_executor &io_ex)
        : impl_(std::move(impl)), handler_(std::move(handler)) {
        if constexpr (own_executor) {
            auto ex = boost::asio::get_associated_executor(handler_, io_ex);
            if constexpr (std::is_same_v<handler_ex, boost::asio::any_io_executor>)
                if (ex == io_ex) return;  // runs on the port's executor: as a plain callback
            work_.emplace(std::move(ex));
        }
    }
    PortOp(PortOp &&) = default;

    using cancellation_slot_type = boost::asio::associated_cancellation_slot_t<Handler>;
    cancellation_slot_type get_cancellation_slot() const noexcept {
        return boost::asio::get_associated_cancellation_slot(handler_);
    }
    using allocator_type = boost::asio::associated_allocator_t<Handler>;
    allocator_type get_allocator() const noexcept {
        return boost::asio::get_associated_allocator(handler_);
    }

    template <class... Args>
    void operator()(Args &&...args) {
        auto slot = boost::asio::get_associated_cancellation_slot(handler_);
        if (slot.is_connected()) slot.clear();
        impl_(*this, std::forward<Args>(args)...);
    }

    // On the port's executor: call the handler there when it has no executor of its own
    // (or that executor is the port's), else dispatch to its executor.
    void complete(boost::system::error_code ec, std::size_t n) {
        if constexpr (own_executor) {
            if (work_) {
                auto work = std::move(*work_);
                work_.reset();
                boost::asio::dispatch(boost::asio::append(std::move(handler_), ec, n));
                return;
            }
        }
        std::move(handler_)(ec, n);
    }

  private:
    Impl impl_;
    Handler handler_;
    [[no_unique_address]] Work work_;
};

// async_read_some & co.: the initiation exposes the port's executor (with_timeout finds
// it there) and starts a PortOp; a port that is not open completes with errc::closed.
template <class Impl>
struct IoInitiation {
    std::shared_ptr<PortCore> core;
    boost::asio::any_io_executor closed_ex;  // only for a port that is not open
    typename Impl::buffers_type buffers;
    boost::asio::any_io_executor get_executor() const noexcept {
        return core ? core->ex : closed_ex;
    }
    template <class Handler>
    void operator()(Handler &&handler) && {
        using H = std::decay_t<Handler>;
        if (!core) {
            boost::asio::post(closed_ex,
                              boost::asio::append(H(std::forward<Handler>(handler)),
                                                  make_error_code(errc::closed), std::size_t{0}));
            return;
        }
        const boost::asio::any_io_executor &ex = core->ex;
        PortOp<Impl, H>(Impl(std::move(core), buffers), H(std::forward<Handler>(handler)), ex)();
    }
};

// An intermediate step's handler: the composed operation without its associated executor,
// so the port's descriptor, timer or post runs it on the port's own executor (where the
// operation's state lives) without binding a copy of the type-erased executor to every
// step. The cancellation slot and allocator are forwarded: per-op cancellation and Asio's
// recycled operation memory work as before.
template <class Self>
struct Step {
    Self self;
    using cancellation_slot_type = boost::asio::associated_cancellation_slot_t<Self>;
    cancellation_slot_type get_cancellation_slot() const noexcept {
        return boost::asio::get_associated_cancellation_slot(self);
    }
    using allocator_type = boost::asio::associated_allocator_t<Self>;
    allocator_type get_allocator() const noexcept {
        return boost::asio::get_associated_allocator(self);
    }
    template <class... Args>
    void operator()(Args &&...args) {
        self(std::forward<Args>(args)...);
    }
};
template <class Self>
Step<Self> step(Self &&self) {
    return Step<Self>{std::move(self)};
}

// The same step with no cancellation slot (a wait that must not be cut short).
template <class Self>
struct UncancellableStep {
    Self self;
    using allocator_type = boost::asio::associated_allocator_t<Self>;
    allocator_type get_allocator() const noexcept {
        return boost::asio::get_associated_allocator(self);
    }
    template <class... Args>
    void operator()(Args &&...args) {
        self(std::forward<Args>(args)...);
    }
};

inline std::string violation_text(const char *call, std::uint32_t reported, std::uint32_t len) {
    return std::string(call) + " reported " + std::to_string(reported) + " bytes for a " +
           std::to_string(len) + "-byte buffer";
}

template <Dir D, IoMode M, class Buffers>
class IoOp {
  public:
    using buffers_type = Buffers;
    IoOp(std::shared_ptr<PortCore> core, const Buffers &buffers)
        : core_(std::move(core)), buffers_(buffers) {}
    IoOp(IoOp &&o) noexcept
        : core_(std::move(o.core_)),
          buffers_(o.buffers_),
          total_(o.total_),
          size_(o.size_),
          ec_(o.ec_),
          state_(o.state_),
          owns_(std::exchange(o.owns_, false)),
          cancel_requested_(o.cancel_requested_) {}
    IoOp(const IoOp &) = delete;
    IoOp &operator=(const IoOp &) = delete;
    IoOp &operator=(IoOp &&) = delete;
    ~IoOp() {
        // Destroyed without completing (its io_context went away): free the guard.
        if (owns_ && core_) core_->dir(D).busy = false;
    }

    template <class Self>
    void operator()(Self &self, boost::system::error_code ec = {}) {
        switch (state_) {
            case State::starting:
                return start(self);
            case State::posted:
                return finish(self, ec_);
            case State::waiting:
                return core_->sync_fd ? on_ready(self, ec) : on_event(self);
        }
    }
    // A plain-fd read's completion (the descriptor's async_read_some).
    template <class Self>
    void operator()(Self &self, boost::system::error_code ec, std::size_t n) {
        on_transferred(self, ec, n);
    }

  private:
    enum class State : unsigned char { starting, posted, waiting };
    using wait_type = boost::asio::posix::descriptor_base::wait_type;

    struct Chunk {
        void *data;
        std::uint32_t size;
    };

    // The not-yet-transferred part of the first buffer that still has room.
    Chunk chunk() const noexcept {
        std::size_t skip = total_;
        auto it = boost::asio::buffer_sequence_begin(buffers_);
        auto end = boost::asio::buffer_sequence_end(buffers_);
        for (; it != end; ++it) {
            auto b = *it;
            if (skip >= b.size()) {
                skip -= b.size();
                continue;
            }
            std::size_t len =
                std::min<std::size_t>(b.size() - skip, std::numeric_limits<std::uint32_t>::max());
            return {const_cast<char *>(static_cast<const char *>(b.data())) + skip,
                    static_cast<std::uint32_t>(len)};
        }
        return {nullptr, 0};
    }

    template <class Self>
    void post_finish(Self &self, boost::system::error_code ec) {
        // Never complete inline from the initiating function.
        ec_ = ec;
        state_ = State::posted;
        // On an io_context, post to its concrete executor: no type-erased prefer() chain.
        // (The executor is taken before `self`, which owns core_, is moved.)
        if (auto *io = core_->io_ex) {
            boost::asio::post(*io, step(std::move(self)));
        } else {
            const boost::asio::any_io_executor &ex = core_->ex;
            boost::asio::post(ex, step(std::move(self)));
        }
    }

    template <class Self>
    void finish(Self &self, boost::system::error_code ec) {
        if (owns_) {
            core_->dir(D).busy = false;
            owns_ = false;
        }
        core_.reset();  // the port may go away from inside the handler
        self.complete(ec, total_);
    }

    template <class Self>
    void start(Self &self) {
        size_ = boost::asio::buffer_size(buffers_);
        if (core_->closed) return post_finish(self, make_error_code(errc::closed));
        if (core_->stray_completion.load(std::memory_order_acquire) && !core_->faulted)
            core_->plugin_violation("a completion arrived for an operation that was not started");
        if (core_->faulted) return post_finish(self, core_->last_error.code);
        DirectionState &d = core_->dir(D);
        if (d.busy) return post_finish(self, make_error_code(errc::busy));
        if (size_ == 0) return post_finish(self, {});
        d.busy = true;
        owns_ = true;
        if constexpr (D == Dir::read) {
            if (core_->plain_fd) return transfer(self);
        }
        if (core_->sync_fd) {
            if constexpr (D == Dir::write)
                attempt(self, true);
            else
                wait(self);
        } else {
            launch(self, true);
        }
    }

    // ---- sync-fd ---------------------------------------------------------------------

    template <class Self>
    void wait(Self &self) {
        state_ = State::waiting;
        if (core_->collect_stats) ++core_->stats.readiness_waits;
        // Intermediate steps run on the port's executor, whatever the handler's is.
        core_->desc->async_wait(D == Dir::read ? wait_type::wait_read : wait_type::wait_write,
                                step(std::move(self)));
    }

    template <class Self>
    void on_ready(Self &self, boost::system::error_code ec) {
        if (core_->closed) return finish(self, make_error_code(errc::closed));
        if (ec) return finish(self, ec);  // operation_aborted after a per-op cancel
        attempt(self, false);
    }

    template <class Self>
    void attempt(Self &self, bool initiating) {
        PortCore &c = *core_;
        for (;;) {
            Chunk ch = chunk();
            if constexpr (M == IoMode::available) {
                std::uint32_t queued = 0;
                if (c.raw->control->input_waiting(c.raw, &queued) == ANYSERIAL_OK && queued > 0)
                    ch.size = std::min(ch.size, queued);
            }
            std::uint32_t n = 0;
            const std::int32_t rc =
                D == Dir::read ? c.read_nb(ch.data, ch.size, &n) : c.write_nb(ch.data, ch.size, &n);
            if (c.collect_stats) {
                if constexpr (D == Dir::read)
                    ++c.stats.read_calls;
                else
                    ++c.stats.write_calls;
            }
            if (rc == ANYSERIAL_OK) {
                if (n > ch.size) {
                    // The plugin claims more than the buffer holds: the bytes past it are not
                    // ours to read. Never use them.
                    auto e = c.plugin_violation(violation_text(
                        D == Dir::read ? "read_nonblocking" : "write_nonblocking", n, ch.size));
                    return initiating ? post_finish(self, e) : finish(self, e);
                }
                if (n == 0) {
                    if constexpr (D == Dir::read) {
                        auto e = c.fail(make_error_code(errc::disconnected),
                                        "read: end of file after readiness");
                        return initiating ? post_finish(self, e) : finish(self, e);
                    }
                    return wait(self);
                }
                total_ += n;
                if (c.collect_stats)
                    (D == Dir::read ? c.stats.bytes_read : c.stats.bytes_written) += n;
                if (M == IoMode::all && total_ < size_) continue;
                return initiating ? post_finish(self, {}) : finish(self, {});
            }
            if (rc == ANYSERIAL_E_WOULD_BLOCK || rc == ANYSERIAL_E_INTERRUPTED) {
                if (c.collect_stats)
                    ++(rc == ANYSERIAL_E_WOULD_BLOCK ? c.stats.would_block : c.stats.interrupted);
                return wait(self);
            }
            auto e = c.backend_error(rc, ErrnoContext::io, D == Dir::read ? "read" : "write");
            return initiating ? post_finish(self, e) : finish(self, e);
        }
    }

    // ---- plain fd (ANYSERIAL_SYNC_FD_PLAIN_IO), reads ------------------------------------
    // Asio's reactive read tries at once and, on EAGAIN, waits in a reactor registration
    // that stays armed: no epoll_ctl per wait, unlike async_wait (Asio 1.81 re-arms the fd
    // for every wait). Its completion is posted, never run inline. Writes stay on the
    // attempt-first path above: they rarely wait, and Asio's op costs more instructions.

    template <class Self>
    void transfer(Self &self) {
        static_assert(D == Dir::read);
        state_ = State::waiting;
        Chunk ch = chunk();
        if constexpr (M == IoMode::available) {
            PortCore &c = *core_;
            std::uint32_t queued = 0;
            if (c.raw->control->input_waiting(c.raw, &queued) == ANYSERIAL_OK && queued > 0)
                ch.size = std::min(ch.size, queued);
        }
        core_->desc->async_read_some(boost::asio::buffer(ch.data, ch.size), step(std::move(self)));
    }

    template <class Self>
    void on_transferred(Self &self, boost::system::error_code ec, std::size_t n) {
        PortCore &c = *core_;
        if (c.closed) return finish(self, make_error_code(errc::closed));
        if (ec == boost::asio::error::operation_aborted) return finish(self, ec);  // per-op cancel
        if (ec) return finish(self, c.descriptor_error(ec, "read"));
        total_ += n;
        if (M == IoMode::all && total_ < size_) return transfer(self);
        finish(self, {});
    }

    // ---- async-completion ------------------------------------------------------------

    template <class Self>
    void launch(Self &self, bool initiating) {
        PortCore &c = *core_;
        DirectionState &d = c.dir(D);
        Chunk ch = chunk();
        if constexpr (M == IoMode::available) {
            std::uint32_t queued = 0;
            if (c.raw->control->input_waiting(c.raw, &queued) == ANYSERIAL_OK && queued > 0)
                ch.size = std::min(ch.size, queued);
        }
        d.done = false;
        const std::int32_t rc = c.start_io(D, ch.data, ch.size);
        if (rc != ANYSERIAL_OK) {
            auto e = c.backend_error(rc, ErrnoContext::io,
                                     D == Dir::read ? "start_read" : "start_write");
            return initiating ? post_finish(self, e) : finish(self, e);
        }
        state_ = State::waiting;
        d.event.expires_at(boost::asio::steady_timer::time_point::max());
        d.event.async_wait(step(std::move(self)));
    }

    template <class Self>
    void on_event(Self &self) {
        PortCore &c = *core_;
        DirectionState &d = c.dir(D);
        if (!d.done) {
            // Woken by a per-op cancel (or close): ask the backend to finish early and wait
            // for its one completion, which still owns the buffer until it arrives.
            if (!cancel_requested_ && !c.closed) {
                cancel_requested_ = true;
                c.cancel_io(D);
            }
            d.event.expires_at(boost::asio::steady_timer::time_point::max());
            d.event.async_wait(UncancellableStep<Self>{std::move(self)});
            return;
        }
        d.done = false;
        const std::int32_t status = d.status;
        const std::uint32_t n = d.transferred;
        if (c.closed) return finish(self, make_error_code(errc::closed));
        if (status == ANYSERIAL_OK && n > d.requested)
            return finish(self, c.plugin_violation(violation_text(
                                    D == Dir::read ? "read completion" : "write completion", n,
                                    d.requested)));
        if (status == ANYSERIAL_OK && n > 0) {
            total_ += n;
            if (c.collect_stats) (D == Dir::read ? c.stats.bytes_read : c.stats.bytes_written) += n;
            if (M == IoMode::all && total_ < size_) {
                if (cancel_requested_)
                    return finish(self, make_error_code(boost::asio::error::operation_aborted));
                return launch(self, false);
            }
            return finish(self, {});
        }
        if (status == ANYSERIAL_E_CANCELLED || (status == ANYSERIAL_OK && cancel_requested_))
            return finish(self, make_error_code(boost::asio::error::operation_aborted));
        if (status == ANYSERIAL_OK)
            return finish(
                self, c.fail(make_error_code(errc::disconnected), "read: completed with 0 bytes"));
        return finish(self,
                      c.backend_error(status, ErrnoContext::io, D == Dir::read ? "read" : "write"));
    }

    std::shared_ptr<PortCore> core_;
    Buffers buffers_;
    std::size_t total_ = 0;
    std::size_t size_ = 0;
    boost::system::error_code ec_;
    State state_ = State::starting;
    bool owns_ = false;
    bool cancel_requested_ = false;
};

}  // namespace anyserial::detail
