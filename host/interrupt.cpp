// anyserial CLI — SIGINT/SIGTERM for a verb's coroutine.
#include "interrupt.hpp"

#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdlib>

namespace anyserial::cli {

struct Interrupt::State {
    explicit State(boost::asio::any_io_executor ex) : signals(std::move(ex), SIGINT, SIGTERM) {}
    boost::asio::signal_set signals;
    bool requested = false;
    bool alive = true;  // the Interrupt still exists
    bool second_exits = false;
    std::function<void()> action;
};

namespace {

void wait(const std::shared_ptr<Interrupt::State> &st) {
    st->signals.async_wait([st](boost::system::error_code ec, int) {
        if (ec || !st->alive) return;
        if (st->requested) {
            if (st->second_exits) std::_Exit(130);
            return;
        }
        st->requested = true;
        if (st->action) st->action();
        if (st->second_exits) wait(st);
    });
}

}  // namespace

Interrupt::Interrupt(boost::asio::any_io_executor ex, bool second_exits)
    : state_(std::make_shared<State>(std::move(ex))) {
    state_->second_exits = second_exits;
    wait(state_);
}

Interrupt::~Interrupt() {
    state_->alive = false;
    state_->action = nullptr;
    boost::system::error_code ignored;
    state_->signals.cancel(ignored);
}

bool Interrupt::requested() const noexcept {
    return state_->requested;
}

void Interrupt::on_signal(std::function<void()> action) {
    state_->action = std::move(action);
    if (state_->requested && state_->action) state_->action();
}

}  // namespace anyserial::cli
