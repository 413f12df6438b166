// libFuzzer target for what jigasi-ng reads from a SIP message: libre's sip_msg_decode, then our
// readers on top of it (REGISTER fields, Contact parsing, header lookup, the body as SDP, digest
// credentials, Accept-Language). libre.a itself is not instrumented, so coverage guides the fuzzer through our code
// only; libre's parser still sees every mutated input and a crash there is a finding too.

#include "sip/accept_language.hpp"
#include "sip/digest.hpp"
#include "sip/libre.hpp"
#include "sip/msg.hpp"
#include "sip/sdp.hpp"

#include <cstdint>
#include <cstdlib>

namespace jsip = jigasi::sip;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 65536) return 0;  // larger than any UDP datagram; the TCP framing caps it too
    mbuf* mb = mbuf_alloc(size ? size : 1);
    if (!mb) return 0;
    mbuf_write_mem(mb, data, size);
    mbuf_set_pos(mb, 0);
    sip_msg* msg = nullptr;
    if (sip_msg_decode(&msg, mb) == 0 && msg) {
        (void)jsip::source_of(msg);
        if (auto r = jsip::to_register_request(msg)) {
            for (const auto& v : r->authorization) (void)jsip::digest::parse_credentials(v);
        }
        for (auto id : {SIP_HDR_AUTHORIZATION, SIP_HDR_WWW_AUTHENTICATE, SIP_HDR_CONTACT, SIP_HDR_EXPIRES})
            for (const auto& v : jsip::header_values(msg, id)) (void)jsip::digest::parse_challenge(v);
        (void)jsip::header(msg, "Jitsi-Conference-Room");
        (void)jsip::header(msg, "X-Room-Name");
        for (const auto& v : jsip::header_values(msg, SIP_HDR_ACCEPT_LANGUAGE)) (void)jsip::accepted_languages(v);
        (void)jsip::sdp::parse(jsip::body_of(msg));
        mem_deref(msg);
    }
    mem_deref(mb);
    return 0;
}
