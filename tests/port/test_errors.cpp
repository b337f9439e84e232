// errc, the category, the errno mapping table of seed §10.1 and the exception hierarchy.
#include <anyserial/sdk/status.h>

#include <anyserial/errors.hpp>
#include <boost/asio/error.hpp>
#include <boost/test/unit_test.hpp>
#include <cerrno>

using namespace anyserial;

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(errno_mapping_table) {
    struct Row {
        int e;
        ErrnoContext ctx;
        errc want;
    };
    const Row rows[] = {
        {ENOENT, ErrnoContext::open, errc::port_not_found},
        {ENODEV, ErrnoContext::open, errc::port_not_found},
        {ENXIO, ErrnoContext::open, errc::port_not_found},
        {ENXIO, ErrnoContext::io, errc::disconnected},
        {EBUSY, ErrnoContext::open, errc::port_busy},
        {EWOULDBLOCK, ErrnoContext::lock, errc::port_busy},
        {EACCES, ErrnoContext::open, errc::permission_denied},
        {EINVAL, ErrnoContext::ioctl_feature, errc::unsupported_feature},
        {ENOTTY, ErrnoContext::ioctl_feature, errc::unsupported_feature},
        {EINVAL, ErrnoContext::ioctl_configuration, errc::unsupported_configuration},
        {ENOTTY, ErrnoContext::ioctl_configuration, errc::unsupported_configuration},
        {EIO, ErrnoContext::io, errc::disconnected},
        {EIO, ErrnoContext::open, errc::disconnected},
        {ETIMEDOUT, ErrnoContext::io, errc::timeout},
        {ENOSPC, ErrnoContext::io, errc::io_error},
        // A directory is no port ("port not found ... Is a directory", not an I/O error).
        {EISDIR, ErrnoContext::open, errc::port_not_found},
        {ENOTDIR, ErrnoContext::open, errc::port_not_found},
    };
    for (const Row &r : rows)
        BOOST_TEST((errc_from_errno(r.e, r.ctx) == r.want), "errno " << r.e);
}

BOOST_AUTO_TEST_CASE(status_mapping) {
    BOOST_TEST((errc_from_status(ANYSERIAL_E_DISCONNECTED) == errc::disconnected));
    BOOST_TEST((errc_from_status(ANYSERIAL_E_NOT_FOUND) == errc::port_not_found));
    BOOST_TEST(
        (errc_from_status(ANYSERIAL_E_UNSUPPORTED_CONFIG) == errc::unsupported_configuration));
    BOOST_TEST((errc_from_status(ANYSERIAL_E_BUSY) == errc::port_busy));
}

BOOST_AUTO_TEST_CASE(codes_compare_in_std_and_boost) {
    boost::system::error_code b = errc::busy;
    std::error_code s = errc::busy;
    BOOST_TEST((b == errc::busy));
    BOOST_TEST((s == errc::busy));
    BOOST_TEST(b.message() == "another operation in this direction is in progress");
    BOOST_TEST((b != boost::asio::error::operation_aborted));
}

BOOST_AUTO_TEST_CASE(exceptions_carry_path_and_os_error) {
    try {
        throw_serial_error(make_error_code(errc::disconnected), "read failed", "/dev/ttyX", EIO);
        BOOST_FAIL("no throw");
    } catch (const SerialDisconnectedError &e) {
        BOOST_TEST(e.path() == "/dev/ttyX");
        BOOST_TEST(e.os_error() == EIO);
        BOOST_TEST(std::string(e.what()).find("/dev/ttyX") != std::string::npos);
        BOOST_TEST((e.code() == errc::disconnected));
    }
    BOOST_CHECK_THROW(throw_serial_error(make_error_code(errc::timeout), "x"), SerialTimeoutError);
    BOOST_CHECK_THROW(throw_serial_error(make_error_code(errc::busy), "x"), SerialBusyError);
    BOOST_CHECK_THROW(throw_serial_error(make_error_code(errc::port_not_found), "x"),
                      PortNotFoundError);
    BOOST_CHECK_THROW(throw_serial_error(make_error_code(errc::closed), "x"), SerialClosedError);
}

BOOST_AUTO_TEST_SUITE_END()
