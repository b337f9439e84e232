// Links the installed libanyserial and exercises SerialPort the way an application would:
// opens mock://consumer/a and /b, moves bytes both ways, reads a line with
// asio::async_read_until, sees errc::busy on a second concurrent read and errc::closed on
// a pending read after close(). Prints "ok" and exits 0, or says which step failed.
// The umbrella header: an installed package must compile with all of it.
#include <anyserial/anyserial.hpp>
#include <boost/asio.hpp>
#include <iostream>
#include <string>

namespace asio = boost::asio;

namespace {

int fail(const std::string &step, const boost::system::error_code &ec) {
    std::cout << "FAILED " << step << ": " << ec.message() << '\n';
    return 1;
}

asio::awaitable<int> run(anyserial::PluginHost &host) {
    auto ex = co_await asio::this_coro::executor;
    auto tok = asio::as_tuple(asio::use_awaitable);
    auto [ea, a] = co_await anyserial::async_open_serial_port(ex, host, "mock://consumer/a",
                                                              anyserial::SerialConfig{}, tok);
    if (ea) co_return fail("open a", ea);
    auto [eb, b] = co_await anyserial::async_open_serial_port(ex, host, "mock://consumer/b",
                                                              anyserial::SerialConfig{}, tok);
    if (eb) co_return fail("open b", eb);

    // a -> b, read as a line
    const std::string hello = "hello from a\n";
    auto [ew, nw] = co_await asio::async_write(a, asio::buffer(hello), tok);
    if (ew || nw != hello.size()) co_return fail("write a", ew);
    std::string line;
    auto [eu, nu] = co_await asio::async_read_until(b, asio::dynamic_buffer(line), '\n', tok);
    if (eu || line.substr(0, nu) != hello) co_return fail("read_until b", eu);

    // b -> a
    const std::string back = "pong";
    auto [es, ns] = co_await b.async_send(asio::buffer(back), tok);
    if (es) co_return fail("send b", es);
    std::string got(back.size(), '\0');
    auto [er, nr] = co_await asio::async_read(a, asio::buffer(got), tok);
    if (er || got != back) co_return fail("read a", er);

    // a second concurrent read in one direction completes at once with errc::busy; the
    // first one, still pending, completes with errc::closed after close()
    char buf1[8], buf2[8];
    boost::system::error_code first, second;
    bool first_done = false;
    a.async_read_some(asio::buffer(buf1), [&](boost::system::error_code ec, std::size_t) {
        first = ec;
        first_done = true;
    });
    auto [eb2, nb2] = co_await a.async_read_some(asio::buffer(buf2), tok);
    second = eb2;
    if (second != anyserial::errc::busy) co_return fail("expected busy", second);
    a.close();
    while (!first_done)
        co_await asio::post(ex, asio::use_awaitable);
    if (first != anyserial::errc::closed) co_return fail("expected closed", first);
    co_return 0;
}

}  // namespace

int main() {
    anyserial::PluginHost host;
    host.load_default();
    asio::io_context io;
    int rc = 1;
    asio::co_spawn(io, run(host), [&](std::exception_ptr e, int r) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception &ex) {
                std::cout << "FAILED exception: " << ex.what() << '\n';
            }
            return;
        }
        rc = r;
    });
    io.run();
    if (rc == 0) std::cout << "ok\n";
    return rc;
}
