// anyserial — the hot-path composed operation behind async_read_some, async_write_some,
// async_send and async_receive_available, for both backend kinds. Not a public API.
//
// Sync-fd: a read waits for readiness, then calls the non-blocking primitive; a write tries
// first and waits only on WOULD_BLOCK. WOULD_BLOCK/INTERRUPTED loop back to waiting. No
// thread, no lock, and nothing allocates beyond Asio's recycled operation memory.
// Async-completion: start_* through the C table; the completion is posted (from the
// backend's thread, with per-direction arena memory) and wakes the direction's event timer.
#pragma once

#include <anyserial/sdk/status.h>

#include <algorithm>
#include <anyserial/detail/port_core.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <limits>
#include <memory>
#include <string>

namespace anyserial::detail {

enum class IoMode { some, all, available };

// Hands the result to the handler on the handler's own executor: directly when that is
// the port's executor (we are running on it), otherwise through dispatch.
template <class Self, class State, class... Args>
void deliver_completion(Self &self, boost::system::error_code ec, std::size_t n, State &state,
                        boost::system::error_code &stored) {
    using handler_ex = decltype(boost::asio::get_associated_executor(self));
    if constexpr (std::is_same_v<handler_ex, boost::asio::any_io_executor>) {
        if (boost::asio::get_associated_executor(self) == self.get_io_executor())
            return self.complete(ec, n);
    }
    stored = ec;
    state = State::completing;
    boost::asio::dispatch(std::move(self));
}

inline std::string violation_text(const char *call, std::uint32_t reported, std::uint32_t len) {
    return std::string(call) + " reported " + std::to_string(reported) + " bytes for a " +
           std::to_string(len) + "-byte buffer";
}

template <Dir D, IoMode M, class Buffers>
class IoOp {
  public:
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
            case State::completing:
                return self.complete(ec_, total_);
        }
    }

  private:
    enum class State : unsigned char { starting, posted, waiting, completing };
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
        auto ex = self.get_io_executor();
        boost::asio::post(ex, boost::asio::bind_executor(ex, std::move(self)));
    }

    template <class Self>
    void finish(Self &self, boost::system::error_code ec) {
        if (owns_) {
            core_->dir(D).busy = false;
            owns_ = false;
        }
        core_.reset();
        deliver_completion(self, ec, total_, state_, ec_);
    }

    template <class Self>
    void start(Self &self) {
        size_ = boost::asio::buffer_size(buffers_);
        if (!core_ || core_->closed) return post_finish(self, make_error_code(errc::closed));
        if (core_->stray_completion.load(std::memory_order_acquire) && !core_->faulted)
            core_->plugin_violation("a completion arrived for an operation that was not started");
        if (core_->faulted) return post_finish(self, core_->last_error.code);
        DirectionState &d = core_->dir(D);
        if (d.busy) return post_finish(self, make_error_code(errc::busy));
        if (size_ == 0) return post_finish(self, {});
        d.busy = true;
        owns_ = true;
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
                                boost::asio::bind_executor(core_->ex, std::move(self)));
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
        d.event.async_wait(boost::asio::bind_executor(c.ex, std::move(self)));
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
            d.event.async_wait(boost::asio::bind_cancellation_slot(
                boost::asio::cancellation_slot(),
                boost::asio::bind_executor(c.ex, std::move(self))));
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
