#pragma once
// Counts calls of the global operator new in the unit test binary, to show that the per-packet and
// per-frame paths of media/rtp and media/mixer never allocate. When the jitter tests' counter
// (media/jitter/count_new) is in the tree, this forwards to it; otherwise alloc_count.cpp replaces
// operator new itself (weakly). active() says whether counting works, so that a test does not pass
// vacuously.

#include <cstdint>

namespace jigasi::test::rtp_alloc {

std::uint64_t count();
bool active();

}  // namespace jigasi::test::rtp_alloc
