// Recording, streaming and the manager against the protocol plugins' simulators.
#define BOOST_TEST_MODULE record_live
#include <boost/test/unit_test.hpp>
