// anyserial CLI — SIGINT/SIGTERM for a verb's coroutine. The signal handler owns its state,
// so a signal that arrives as the coroutine ends never touches the coroutine's frame: the
// action is dropped when the Interrupt goes (on every return path, early ones included).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>

namespace anyserial::cli {

class Interrupt {
  public:
    // Starts listening. With second_exits, a second signal after the first ends the process
    // at once (status 130) — for a verb whose orderly end may take a while.
    explicit Interrupt(boost::asio::any_io_executor ex, bool second_exits = false);
    ~Interrupt();
    Interrupt(const Interrupt &) = delete;
    Interrupt &operator=(const Interrupt &) = delete;

    bool requested() const noexcept;
    // What the first signal does (it replaces the previous action; runs now when a signal
    // came already).
    void on_signal(std::function<void()> action);

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace anyserial::cli
