#include "sync/shared_loop.hpp"

#include <mutex>

#include "log/logger.hpp"

namespace anyserial::sync::detail {
namespace {

std::mutex g_mutex;
std::weak_ptr<SharedLoop> g_loop;

}  // namespace

std::shared_ptr<SharedLoop> SharedLoop::acquire() {
    std::lock_guard lock(g_mutex);
    auto loop = g_loop.lock();
    if (!loop) {
        loop = std::make_shared<SharedLoop>();
        g_loop = loop;
    }
    return loop;
}

std::size_t SharedLoop::users() noexcept {
    std::lock_guard lock(g_mutex);
    return static_cast<std::size_t>(g_loop.use_count());
}

SharedLoop::SharedLoop()
    : work_(io_.get_executor()), thread_([this] {
          for (;;) {
              try {
                  io_.run();
                  return;
              } catch (const std::exception &e) {
                  log::logger("anyserial.sync").error("sync loop: handler threw: {}", e.what());
              }
          }
      }) {
    log::logger("anyserial.sync").debug("sync loop thread started");
}

SharedLoop::~SharedLoop() {
    // Let every pending handler finish (ports are closed by now), then end the thread.
    work_.reset();
    if (on_loop_thread())
        thread_.detach();
    else
        thread_.join();
    log::logger("anyserial.sync").debug("sync loop thread stopped");
}

}  // namespace anyserial::sync::detail
