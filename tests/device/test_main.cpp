#define BOOST_TEST_MODULE anyserial device session
#include <boost/test/unit_test.hpp>
