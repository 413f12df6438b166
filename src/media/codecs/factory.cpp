#include "media/codecs/factory.hpp"

#include "media/codecs/g711.hpp"
#include "media/codecs/g722.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>

namespace jigasi::media::codecs {
namespace {

core::error fail(errc e, std::string what) { return core::error{e, std::move(what)}; }

std::optional<long> number(const std::vector<media::parameter>& fmtp, std::string_view name) {
    const auto* p = media::find_parameter(fmtp, name);
    if (!p) return std::nullopt;
    long v = 0;
    const auto* end = p->value.data() + p->value.size();
    auto [ptr, ec] = std::from_chars(p->value.data(), end, v);
    if (ec != std::errc{} || ptr != end) return std::nullopt;
    return v;
}

bool g7xx_frame(std::uint32_t ms) { return ms >= 10 && ms <= 60 && ms % 10 == 0; }

}  // namespace

opus_settings opus_settings_from_fmtp(const std::vector<media::parameter>& fmtp, opus_settings s) {
    // RFC 7587 §6.1: useinbandfec and usedtx default to 0; FEC the receiver cannot use wastes bits.
    s.fec = s.fec && number(fmtp, "useinbandfec").value_or(0) == 1;
    s.dtx = s.dtx || number(fmtp, "usedtx").value_or(0) == 1;
    s.cbr = s.cbr || number(fmtp, "cbr").value_or(0) == 1;
    if (auto r = number(fmtp, "maxplaybackrate"); r && *r >= 8000)
        s.max_playback_rate = static_cast<std::uint32_t>(std::min(*r, 48000L));
    if (auto b = number(fmtp, "maxaveragebitrate"); b && *b >= 6000)
        s.bitrate = static_cast<int>(std::min<long>(s.bitrate, std::min(*b, 510000L)));
    return s;
}

core::result<format> describe(const media::payload_type& given, const codec_options& opts) {
    media::payload_type pt = given;
    if (pt.encoding.empty()) pt = media::static_payload_type(given.pt);  // RFC 3551 §6 static types
    if (pt.encoding.empty())
        return fail(errc::unsupported_codec, "payload type " + std::to_string(given.pt) + " has no rtpmap");
    const auto& enc = pt.encoding;
    const std::uint32_t ms = opts.frame_ms;

    if (media::iequals(enc, "opus")) {
        // RFC 7587 §7: always opus/48000/2, whatever the content (some phones omit the /2).
        if (pt.clock_rate != 48000) return fail(errc::bad_parameter, "opus: RTP clock must be 48000");
        if (pt.channels != 2 && pt.channels != 1) return fail(errc::bad_parameter, "opus: bad channel count");
        if (!opus_native_rate(opts.opus_pcm_rate)) return fail(errc::bad_parameter, "opus: PCM rate not native");
        if (ms != 10 && ms != 20 && ms != 40 && ms != 60)
            return fail(errc::bad_parameter, "opus: ptime must be 10, 20, 40 or 60 ms");
        return format{codec_id::opus, given.pt, opts.opus_pcm_rate, 48000, ms};
    }
    const bool ulaw = media::iequals(enc, "PCMU");
    if (ulaw || media::iequals(enc, "PCMA") || media::iequals(enc, "G722")) {
        // RFC 3551 §4.5.2: G.722's RTP clock is 8000 although it samples at 16 kHz.
        if (pt.clock_rate != 8000) return fail(errc::bad_parameter, enc + ": RTP clock must be 8000");
        if (pt.channels != 1) return fail(errc::bad_parameter, enc + ": mono only");
        if (!g7xx_frame(ms)) return fail(errc::bad_parameter, enc + ": ptime must be 10..60 ms in steps of 10");
        if (media::iequals(enc, "G722")) return format{codec_id::g722, given.pt, 16000, 8000, ms};
        return format{ulaw ? codec_id::pcmu : codec_id::pcma, given.pt, 8000, 8000, ms};
    }
    if (media::iequals(enc, "telephone-event"))
        return fail(errc::unsupported_codec, "telephone-event carries DTMF events, not audio (RFC 4733)");
    return fail(errc::unsupported_codec, "no codec for " + enc + "/" + std::to_string(pt.clock_rate));
}

core::result<std::unique_ptr<encoder>> make_encoder(const media::payload_type& pt, const codec_options& opts) {
    auto f = describe(pt, opts);
    if (!f) return f.error();
    switch (f->id) {
    case codec_id::opus: {
        opus_settings s = opus_settings_from_fmtp(pt.fmtp, opts.opus);
        s.pcm_rate = f->pcm_rate;
        s.frame_ms = f->frame_ms;
        auto v = opus_encoder::validate(s);
        if (!v) return v.error();
        return std::unique_ptr<encoder>(std::make_unique<opus_encoder>(f->pt, *v));
    }
    case codec_id::pcmu:
    case codec_id::pcma:
        return std::unique_ptr<encoder>(std::make_unique<g711_encoder>(
            f->id == codec_id::pcmu ? g711_law::ulaw : g711_law::alaw, f->pt, f->frame_ms));
    case codec_id::g722: return std::unique_ptr<encoder>(std::make_unique<g722_encoder>(f->pt, f->frame_ms));
    }
    return fail(errc::unsupported_codec, "unknown codec");
}

core::result<std::unique_ptr<decoder>> make_decoder(const media::payload_type& pt, const codec_options& opts) {
    auto f = describe(pt, opts);
    if (!f) return f.error();
    switch (f->id) {
    case codec_id::opus:
        return std::unique_ptr<decoder>(std::make_unique<opus_decoder>(f->pt, f->pcm_rate, f->frame_ms));
    case codec_id::pcmu:
    case codec_id::pcma:
        return std::unique_ptr<decoder>(std::make_unique<g711_decoder>(
            f->id == codec_id::pcmu ? g711_law::ulaw : g711_law::alaw, f->pt, f->frame_ms));
    case codec_id::g722: return std::unique_ptr<decoder>(std::make_unique<g722_decoder>(f->pt, f->frame_ms));
    }
    return fail(errc::unsupported_codec, "unknown codec");
}

}  // namespace jigasi::media::codecs
