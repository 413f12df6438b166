#include "media/rtp/call_quality.hpp"

#include "media/description.hpp"

#include <algorithm>

namespace jigasi::media::rtp {

namespace {
constexpr double ro_minus_is = 93.2;  // G.107 with all default parameters
}

codec_impairment impairment_for(std::string_view encoding) {
    if (media::iequals(encoding, "PCMU") || media::iequals(encoding, "PCMA")) return {0, 25.1};
    if (media::iequals(encoding, "G722")) return {0, 25.1};
    if (media::iequals(encoding, "opus")) return {0, 30};
    return {10, 20};
}

double mos_from_r(double r) {
    if (r <= 0) return 1;
    if (r >= 100) return 4.5;
    // The polynomial dips just below 1 for R < 6.5; MOS stays on its 1..4.5 scale.
    return std::max(1.0, 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6);
}

quality_estimate estimate_quality(const quality_input& in) {
    quality_estimate q;
    const double jitter_ms = std::chrono::duration<double, std::milli>(in.jitter).count();
    const double buffer_ms = in.jitter_buffer_delay
                                 ? std::chrono::duration<double, std::milli>(*in.jitter_buffer_delay).count()
                                 : 2 * jitter_ms;
    const double ta = std::max(0.0, std::chrono::duration<double, std::milli>(in.rtt).count() / 2 + buffer_ms);
    q.one_way_delay_ms = ta;
    q.id = 0.024 * ta + (ta > 177.3 ? 0.11 * (ta - 177.3) : 0);

    const double ppl = std::clamp(in.loss_percent, 0.0, 100.0);
    const double burst = std::max(in.burst_ratio, 1.0);
    const double ie = in.codec.ie;
    const double bpl = std::max(in.codec.bpl, 1e-6);
    q.ie_eff = ie + (95 - ie) * ppl / (ppl / burst + bpl);

    q.r = std::clamp(ro_minus_is - q.id - q.ie_eff, 0.0, 100.0);
    q.mos = mos_from_r(q.r);
    return q;
}

}  // namespace jigasi::media::rtp
