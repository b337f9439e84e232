// boost-asio: the same loops as anyserial over a bare posix::stream_descriptor on the raw
// pty fd — what Asio alone costs, without anyserial's port layer.
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <cstring>
#include <deque>

#include "harness.hpp"

int main(int argc, char **argv) try {
    const bench::Args a = bench::parse(argc, argv);
    boost::asio::io_context io(1);
    std::deque<boost::asio::posix::stream_descriptor> ds;
    std::vector<boost::asio::posix::stream_descriptor *> ports;
    for (const std::string &p : a.paths) {
        const int fd = ::open(p.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) throw bench::Failure("open " + p + ": " + std::strerror(errno));
        termios t{};
        ::tcgetattr(fd, &t);
        ::cfmakeraw(&t);
        ::tcsetattr(fd, TCSANOW, &t);
        ports.push_back(&ds.emplace_back(io, fd));
    }
    if (ports.empty()) throw bench::Failure("no port path given");
    return bench::run_async(io, a, std::move(ports));
} catch (const std::exception &e) {
    bench::print_error(e.what());
    return 1;
}
