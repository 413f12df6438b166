// libFuzzer target for the RTP layer (house style §11): the same bytes go to the RTP parser (with
// its header extensions and audio level), the RTCP compound parser, the telephone-event parser and
// the receivers fed from them. Whatever parses must stay inside the input and write back to the
// same header; a broken property aborts (a finding).

#include "media/rtp/header_extension.hpp"
#include "media/rtp/packet.hpp"
#include "media/rtp/receive_stats.hpp"
#include "media/rtp/rtcp.hpp"
#include "media/rtp/telephone_event.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <span>

namespace rtp = jigasi::media::rtp;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

bool inside(std::span<const std::uint8_t> part, std::span<const std::uint8_t> whole) {
    return part.empty() ||
           (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void fuzz_rtp(std::span<const std::uint8_t> in) {
    const auto v = rtp::parse(in);
    if (!v) {
        check(v.error().code.category() == rtp::category());
        return;
    }
    check(inside(v->payload, in) && inside(v->extension_data, in) && inside(v->csrc_bytes, in));
    check(v->header_size + v->payload.size() + v->padding_size == in.size());

    std::array<rtp::extension_element, 32> elements{};
    std::size_t count = 0;
    rtp::extension_reader r(*v);
    rtp::extension_element e;
    while (r.next(e)) {
        check(inside(e.data, in));
        if (count < elements.size()) elements[count++] = e;
        (void)rtp::read_audio_level(e.data);
    }

    // Write the header back; the view of what was written must say the same.
    std::array<std::uint32_t, rtp::max_csrcs> csrcs{};
    for (std::size_t i = 0; i < v->csrc_count; ++i) csrcs[i] = v->csrc(i);
    rtp::header h;
    h.marker = v->marker;
    h.payload_type = v->payload_type;
    h.sequence = v->sequence;
    h.timestamp = v->timestamp;
    h.ssrc = v->ssrc;
    h.csrcs = std::span<const std::uint32_t>(csrcs.data(), v->csrc_count);
    h.extensions = std::span<const rtp::extension_element>(elements.data(), count);
    std::array<std::uint8_t, 2048> out{};
    const auto n = rtp::write_packet(h, v->payload, out);
    if (!n) return;  // elements of both forms, or ids the writer refuses: fine
    const auto back = rtp::parse(std::span<const std::uint8_t>(out.data(), *n));
    check(back.has_value());
    check(back->sequence == v->sequence && back->timestamp == v->timestamp && back->ssrc == v->ssrc &&
          back->payload_type == v->payload_type && back->marker == v->marker &&
          back->csrc_count == v->csrc_count && back->payload.size() == v->payload.size());
    for (std::size_t i = 0; i < count; ++i) {
        const auto d = rtp::find_extension(*back, elements[i].id);
        check(d.has_value());
    }

    using clock = std::chrono::steady_clock;
    static rtp::receive_stats stats(1, {});
    stats.on_packet(v->sequence, v->timestamp, v->payload.size(), clock::time_point{} + std::chrono::milliseconds(v->sequence));
    (void)stats.make_report_block(clock::time_point{});
}

void fuzz_rtcp(std::span<const std::uint8_t> in) {
    const auto s = rtp::parse_rtcp(in);
    if (!s) {
        check(s.error().code.category() == rtp::category());
        return;
    }
    for (const auto& c : s->cname_items()) {
        const std::span<const std::uint8_t> text(reinterpret_cast<const std::uint8_t*>(c.cname.data()), c.cname.size());
        check(inside(text, in));
    }
    check(s->sender_count <= rtp::rtcp_summary::capacity && s->block_count <= rtp::rtcp_summary::capacity);
    // A report built from what was read parses back.
    rtp::rtcp_report r;
    r.ssrc = s->sender_count ? s->senders[0].ssrc : 1;
    if (s->sender_count) r.sender = s->senders[0].info;
    std::array<rtp::report_block, 31> blocks{};
    for (std::size_t i = 0; i < s->block_count; ++i) blocks[i] = s->blocks[i].block;
    r.blocks = std::span<const rtp::report_block>(blocks.data(), s->block_count);
    r.cname = s->cname_count && !s->cnames[0].cname.empty() ? s->cnames[0].cname : "fuzz";
    std::array<std::uint8_t, 2048> out{};
    const auto n = rtp::write_rtcp(r, out);
    check(n.has_value());
    const auto back = rtp::parse_rtcp(std::span<const std::uint8_t>(out.data(), *n));
    check(back.has_value() && back->block_count == s->block_count);
    for (std::size_t i = 0; i < s->block_count; ++i)
        check(back->blocks[i].block.ssrc == s->blocks[i].block.ssrc);
}

void fuzz_events(std::span<const std::uint8_t> in) {
    using clock = std::chrono::steady_clock;
    static rtp::telephone_event_receiver receiver({});
    // Consecutive 8-byte records: 4 bytes of event payload, 4 of RTP timestamp (marker in its
    // top bit of the first byte).
    for (std::size_t at = 0; at + 8 <= in.size(); at += 8) {
        const auto e = rtp::parse_telephone_event(in.subspan(at, 4));
        check(e.has_value());
        const auto again = rtp::parse_telephone_event(rtp::encode_telephone_event(*e));
        check(again.has_value() && again->event == e->event && again->duration == e->duration);
        const std::uint32_t ts = (std::uint32_t{in[at + 4]} << 24) | (std::uint32_t{in[at + 5]} << 16) |
                                 (std::uint32_t{in[at + 6]} << 8) | in[at + 7];
        const auto now = clock::time_point{} + std::chrono::milliseconds(at);
        const auto reports = receiver.on_packet(*e, ts & 0x7fffffff, (ts >> 31) != 0, now);
        check(reports.count <= 3);
        (void)receiver.on_timer(now + std::chrono::seconds(1));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> in(data, size);
    fuzz_rtp(in);
    fuzz_rtcp(in);
    fuzz_events(in);
    return 0;
}
