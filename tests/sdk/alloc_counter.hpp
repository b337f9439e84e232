// Number of global operator new calls in this process so far.
#pragma once

#include <cstddef>

std::size_t anyserial_test_allocations() noexcept;
