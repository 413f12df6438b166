// libFuzzer target for the SDP layer (house style §11): arbitrary bytes into parse(); whatever
// parses must serialize and parse back to the same description, and must survive offer/answer both
// as a remote offer and as the answer to our offer. A broken property aborts (a finding).

#include "sip/sdp.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace sdp = jigasi::sip::sdp;

namespace {

const sdp::local_capabilities& caps() {
    static const sdp::local_capabilities c = [] {
        sdp::local_capabilities l;
        l.address = "203.0.113.1";
        l.port = 40000;
        l.random = [](std::span<std::uint8_t> out) {
            for (auto& b : out) b = 0x5a;
            return true;
        };
        return l;
    }();
    return c;
}

const jigasi::media::description& our_offer() {
    static const auto offer = [] {
        auto c = caps();
        c.srtp = sdp::srtp_policy::mandatory;
        return *sdp::build_offer(c);
    }();
    return offer;
}

// Names the broken property before aborting, so a finding says what it broke.
void check(bool ok, int line = __builtin_LINE()) {
    if (ok) return;
    std::fprintf(stderr, "sdp_fuzz: property at sdp_fuzz.cpp:%d does not hold\n", line);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto d = sdp::parse(text);
    if (!d) {
        check(d.error().code.category() == sdp::category() && !d.error().diagnostic.empty());
        return 0;
    }
    const auto again = sdp::parse(sdp::serialize(*d));
    check(again && *again == *d);

    if (const auto a = sdp::negotiate_answer(*d, caps())) {
        check(a->sdp.media.size() == d->media.size());  // RFC 3264 §6
        check(sdp::parse(sdp::serialize(a->sdp)).has_value());
    }
    (void)sdp::apply_answer(our_offer(), *d);
    return 0;
}
