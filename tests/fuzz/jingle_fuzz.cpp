// libFuzzer target for the Jingle mapper (house style §11): arbitrary bytes are read as one XML
// fragment (an <iq/> or a bare <jingle/>), the <jingle/> is mapped, and whatever maps must survive
// every builder, the XML writer and a second parse with the call's essentials unchanged (payload
// types, sources, candidates, fingerprint, direction). A broken property aborts (a finding).

#include "xmpp/jingle.hpp"
#include "xmpp/xml_parser.hpp"
#include "xmpp/xml_writer.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace jg = jigasi::xmpp::jingle;
namespace xmpp = jigasi::xmpp;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

/// The element as the peer reads it: written, parsed as XML, mapped again (we are its responder).
jg::result<jg::message> reread(const xmpp::element& e) {
    const auto xml = xmpp::parse_fragment(xmpp::write(e));
    check(xml.has_value());
    return jg::parse(*xml, jg::role::initiator);
}

/// A re-read may exceed a limit that the original did not (an <rtp-hdrext> parameter name with
/// blanks comes back as several parameters); anything else is a finding.
bool reread_ok(const jg::result<jg::message>& r) {
    return r.has_value() || r.error().code == jg::errc::limit_exceeded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto xml = xmpp::parse_fragment(bytes);
    if (!xml) return 0;
    const xmpp::element* j = &*xml;
    if (j->name() == "iq") j = xml->child("jingle", xmpp::ns::jingle);
    if (!j) return 0;

    const auto msg = jg::parse(*j);
    if (!msg) {
        check(msg.error().code.category() == jg::category() && !msg.error().diagnostic.empty());
        return 0;
    }
    const auto& d = msg->desc;
    check(d.media.size() == msg->contents.size());

    const auto accept = reread(jg::build_session_accept(d, msg->sid, "r@x/y"));
    check(reread_ok(accept));
    if (accept) {
        check(accept->desc.media.size() == d.media.size());
        check(accept->desc.bundle == d.bundle);
        for (std::size_t i = 0; i < d.media.size(); ++i) {
            const auto& a = d.media[i];
            const auto& b = accept->desc.media[i];
            check(a.mid == b.mid && a.dir == b.dir && a.payload_types == b.payload_types);
            check(a.sources == b.sources && a.ice.candidates == b.ice.candidates);
            check(a.dtls.hash == b.dtls.hash && a.dtls.fingerprint == b.dtls.fingerprint);
        }
    }
    check(reread_ok(reread(jg::build_transport_info(d, msg->sid, "r@x/y"))));
    check(reread_ok(reread(jg::build_transport_accept(d, msg->sid, "r@x/y"))));
    check(reread_ok(reread(jg::build_source_add(d, msg->sid))));
    if (msg->reason) check(reread_ok(reread(jg::build_session_terminate(msg->sid, *msg->reason))));
    return 0;
}
