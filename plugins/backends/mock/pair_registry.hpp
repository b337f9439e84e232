// The process-wide registry of mock pairs (plugin-internal, mutex-protected).
//
// A pair is a socketpair(AF_UNIX, SOCK_STREAM) created when its first end opens. Each open
// end owns its socket; the registry holds the socket of an end that has not opened yet, so
// bytes written before the peer opens wait for it. A pair is freed when both ends have
// closed, or when an end closes while the other never opened. An end that closed while its
// peer stays open cannot reopen (its socket is gone and the peer has seen EOF) until the
// peer closes too: that open answers ANYSERIAL_E_BUSY.
//
// The pair also carries the simulated control lines: each end's RTS/DTR, read crossed by
// the other end (RTS -> CTS, DTR -> DSR + CD, as a null-modem cable).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "mock_url.hpp"

namespace anyserial::mock {

struct Pair {
    std::string key;
    int fds[2] = {-1, -1};  // sockets not yet handed to an end (registry-owned)
    bool opened[2] = {false, false};
    bool closed[2] = {false, false};
    std::atomic<bool> live[2] = {false, false};  // end currently open
    std::atomic<uint32_t> lines[2] = {0, 0};     // ANYSERIAL_LINE_RTS / _DTR set by each end
};

struct Lease {
    std::shared_ptr<Pair> pair;
    int end = 0;
    int fd = -1;  // now owned by the opening instance
};

class PairRegistry {
  public:
    static PairRegistry &instance();

    // Open one end: creates the pair if needed and hands over that end's socket
    // (O_NONBLOCK | O_CLOEXEC). Throws sdk::Error: BUSY when the end is open or spent.
    Lease acquire(const MockUrl &url);

    // Close one end: closes its socket (the peer reads EOF) and frees the pair when done.
    void release(const Lease &lease) noexcept;

    std::size_t size() const;

  private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<Pair>> pairs_;
};

}  // namespace anyserial::mock
