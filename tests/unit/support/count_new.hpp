#pragma once
// Counts calls of the global operator new in this test binary, to show that the frame paths do
// not allocate. The replacement is weak: if another test file replaces operator new too, its
// version wins, works() says false and the tests fall back to checking capacities.

#include <cstdint>

namespace jigasi::test {

std::uint64_t allocations();
/// Whether this file's counting operator new is the one in use.
bool allocation_counting_works();

}  // namespace jigasi::test
