#include "pair_registry.hpp"

#include <anyserial/sdk/serial_config.h>
#include <sys/socket.h>
#include <unistd.h>

#include <anyserial/sdk/cpp/error.hpp>

namespace anyserial::mock {

PairRegistry &PairRegistry::instance() {
    static PairRegistry registry;
    return registry;
}

Lease PairRegistry::acquire(const MockUrl &url) {
    std::lock_guard lock(mutex_);
    std::shared_ptr<Pair> &slot = pairs_[url.key()];
    if (!slot) {
        auto pair = std::make_shared<Pair>();
        pair->key = url.key();
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair->fds) != 0) {
            const int err = errno;
            pairs_.erase(url.key());
            sdk::throw_errno("socketpair for " + url.text(), err);
        }
        slot = std::move(pair);
    }
    Pair &p = *slot;
    const int end = url.end;
    if (p.live[end]) throw sdk::Error(ANYSERIAL_E_BUSY, url.text() + " is already open");
    if (p.closed[end])
        throw sdk::Error(ANYSERIAL_E_BUSY,
                         url.text() + " was closed while " + url.peer_text() +
                             " stays open; close that end too before reopening the pair");
    Lease lease{slot, end, p.fds[end]};
    p.fds[end] = -1;
    p.opened[end] = true;
    // Opening a real UART asserts RTS and DTR; closing drops them (HUPCL).
    p.lines[end] = ANYSERIAL_LINE_RTS | ANYSERIAL_LINE_DTR;
    p.live[end] = true;
    return lease;
}

void PairRegistry::release(const Lease &lease) noexcept {
    if (!lease.pair) return;
    std::lock_guard lock(mutex_);
    Pair &p = *lease.pair;
    const int end = lease.end;
    const int peer = 1 - end;
    if (lease.fd >= 0) ::close(lease.fd);
    p.live[end] = false;
    p.lines[end] = 0;
    p.closed[end] = true;
    if (!p.opened[peer] || p.closed[peer]) {
        // Nobody will use this pair again: free it (and a socket the peer never took).
        if (p.fds[peer] >= 0) ::close(p.fds[peer]);
        p.fds[peer] = -1;
        auto it = pairs_.find(p.key);
        if (it != pairs_.end() && it->second == lease.pair) pairs_.erase(it);
    }
}

std::size_t PairRegistry::size() const {
    std::lock_guard lock(mutex_);
    return pairs_.size();
}

}  // namespace anyserial::mock
