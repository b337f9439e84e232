// anyserial — the small shared worker pool for genuinely blocking backend calls (open,
// drain_blocking). Started on first use; the only threads the core starts besides the sync
// facade's loop thread.
#pragma once

#include <boost/asio/thread_pool.hpp>

namespace anyserial::detail {

boost::asio::thread_pool &worker_pool();

}  // namespace anyserial::detail
