#define BOOST_TEST_MODULE anyserial_port_io
#include <boost/test/unit_test.hpp>
