#include "port/worker_pool.hpp"

namespace anyserial::detail {

boost::asio::thread_pool &worker_pool() {
    static boost::asio::thread_pool pool(2);
    return pool;
}

}  // namespace anyserial::detail
