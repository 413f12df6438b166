// Stream negotiation without sockets (xmpp/stream_fsm.hpp): a server's side of the conversation is
// fed as XML text, and the client's actions are checked step by step (RFC 6120 §4-§7, XEP-0114).

#include "core/base64.hpp"
#include "xmpp/stream_fsm.hpp"
#include "xmpp/transport.hpp"
#include "xmpp/xml_parser.hpp"

#include <catch2/catch.hpp>

using namespace jigasi;
using namespace jigasi::xmpp;
using jigasi::core::base64_decode;
using jigasi::core::base64_encode;
using kind = stream_action::kind;

namespace {

/// Feeds server text to a parser and the fsm, collecting every action.
struct harness {
    stream_fsm fsm;
    xml_parser parser;
    std::vector<stream_action> log;

    explicit harness(stream_settings s) : fsm(std::move(s)) {}

    std::vector<stream_action> start() { return keep(fsm.start()); }

    std::vector<stream_action> server(std::string_view text) {
        std::vector<stream_action> out;
        REQUIRE_FALSE(parser.feed(text));
        while (auto ev = parser.next()) {
            auto acts = fsm.on_event(*ev);
            for (const auto& a : acts)
                if (a.type == kind::restart) parser.reset();
            out.insert(out.end(), acts.begin(), acts.end());
        }
        return keep(std::move(out));
    }

    std::vector<stream_action> keep(std::vector<stream_action> a) {
        log.insert(log.end(), a.begin(), a.end());
        return a;
    }
};

constexpr std::string_view header =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
    "from='meet.test' id='s1' version='1.0'>";

std::string features(std::string_view inner) {
    return "<stream:features>" + std::string(inner) + "</stream:features>";
}

constexpr std::string_view scram_and_plain =
    "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
    "<mechanism>SCRAM-SHA-1</mechanism></mechanisms>";

stream_settings client(std::string user = "jigasi", std::string password = "pencil") {
    stream_settings s;
    s.domain = "auth.meet.test";
    s.tls = config::xmpp_tls::none;
    s.sasl.username = std::move(user);
    s.sasl.password = std::move(password);
    s.sasl.client_nonce = [] { return std::string("fyko+d2lbbFgONRv9qkxdawL"); };
    s.resource = "jigasi-1";
    return s;
}

}  // namespace

TEST_CASE("client stream: SCRAM-SHA-1, restart, bind (RFC 5802 vector)", "[stream]") {
    // The RFC 5802 §5 exchange: user "user", password "pencil", the server's nonce and salt.
    harness h(client("user", "pencil"));
    auto a = h.start();
    REQUIRE(a.size() == 1);
    CHECK(a[0].data.find("to='auth.meet.test'") != std::string::npos);
    CHECK(h.server(header).empty());
    a = h.server(features(scram_and_plain));
    REQUIRE(a.size() == 1);
    CHECK(a[0].data.find("mechanism='SCRAM-SHA-1'") != std::string::npos);
    CHECK(a[0].data.find(base64_encode(std::string_view("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"))) != std::string::npos);

    const std::string server_first = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
    a = h.server("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" + base64_encode(std::string_view(server_first)) + "</challenge>");
    REQUIRE(a.size() == 1);
    const std::string final_msg = "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
    CHECK(a[0].data.find(base64_encode(std::string_view(final_msg))) != std::string::npos);

    a = h.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" +
                 base64_encode(std::string_view("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")) + "</success>");
    REQUIRE(a.size() == 2);
    CHECK(a[0].type == kind::restart);
    CHECK(a[1].type == kind::send);
    CHECK(a[1].data.find("<stream:stream") != std::string::npos);

    CHECK(h.server(header).empty());
    a = h.server(features("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><sm xmlns='urn:xmpp:sm:3'/>"));
    REQUIRE(a.size() == 1);
    CHECK(a[0].data == "<iq type='set' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>jigasi-1</resource></bind></iq>");
    a = h.server("<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>user@auth.meet.test/jigasi-1</jid></bind></iq>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].data == "<enable xmlns='urn:xmpp:sm:3' resume='true' max='60'/>");  // XEP-0198 §3
    CHECK_FALSE(h.fsm.ready());
    a = h.server("<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true' max='600'/>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].type == kind::ready);
    CHECK(h.fsm.ready());
    CHECK(h.fsm.jid() == "user@auth.meet.test/jigasi-1");
    CHECK(h.fsm.sm_offered());
    CHECK(h.fsm.mechanism() == "SCRAM-SHA-1");
}

TEST_CASE("a forged server signature ends the stream before it is used", "[stream]") {
    harness h(client("user", "pencil"));
    h.start();
    h.server(header);
    h.server(features(scram_and_plain));
    h.server("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" +
             base64_encode(std::string_view("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")) + "</challenge>");
    auto a = h.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" +
                      base64_encode(std::string_view("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")) + "</success>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].type == kind::fail);
    CHECK(a[0].ec == stream_errc::auth_protocol);
    CHECK_FALSE(h.fsm.ready());
}

TEST_CASE("wrong password: the SASL failure condition is reported", "[stream]") {
    harness h(client());
    h.start();
    h.server(header);
    h.server(features(scram_and_plain));
    auto a = h.server("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text>Unable to authorize you</text></failure>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].type == kind::fail);
    CHECK(a[0].ec == stream_errc::auth_failed);
    CHECK(a[0].data.find("SCRAM-SHA-1") != std::string::npos);
    CHECK(a[0].data.find("Unable to authorize you") != std::string::npos);
}

TEST_CASE("anonymous login picks ANONYMOUS", "[stream]") {
    harness h(client("", ""));
    h.start();
    h.server(header);
    auto a = h.server(features("<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms>"));
    REQUIRE(a.size() == 1);
    CHECK(a[0].data == "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'>=</auth>");
}

TEST_CASE("STARTTLS: used when offered, required when configured", "[stream]") {
    auto s = client();
    s.tls = config::xmpp_tls::starttls;
    harness h(s);
    h.start();
    h.server(header);
    auto a = h.server(features("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" + std::string(scram_and_plain)));
    REQUIRE(a.size() == 1);
    CHECK(a[0].data == "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    a = h.server("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].type == kind::start_tls);
    a = h.fsm.on_tls_established();
    REQUIRE(a.size() == 2);
    CHECK(a[0].type == kind::restart);
    CHECK(h.fsm.tls_active());

    s.tls = config::xmpp_tls::required;
    harness no_tls(s);
    no_tls.start();
    no_tls.server(header);
    a = no_tls.server(features(scram_and_plain));
    REQUIRE(a.size() == 1);
    CHECK(a[0].ec == stream_errc::tls_unavailable);

    s.tls = config::xmpp_tls::none;
    harness refuse(s);
    refuse.start();
    refuse.server(header);
    a = refuse.server(features("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"));
    REQUIRE(a.size() == 1);
    CHECK(a[0].ec == stream_errc::tls_required_by_server);
}

TEST_CASE("PLAIN is not sent on a plaintext stream", "[stream]") {
    harness h(client());
    h.start();
    h.server(header);
    auto a = h.server(features("<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>"));
    REQUIRE(a.size() == 1);
    CHECK(a[0].ec == stream_errc::no_mechanism);
}

TEST_CASE("stream errors, old servers and stray elements end negotiation with the reason", "[stream]") {
    harness err(client());
    err.start();
    err.server(header);
    auto a = err.server("<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                        "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>no such domain</text></stream:error>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].ec == stream_errc::stream_error);
    CHECK(a[0].data == "stream error host-unknown: no such domain");

    harness old(client());
    old.start();
    a = old.server("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='x'>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].ec == stream_errc::unsupported_version);

    harness stray(client());
    stray.start();
    stray.server(header);
    a = stray.server("<message><body>hi</body></message>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].ec == stream_errc::unexpected);
    CHECK(stray.server(features(scram_and_plain)).empty());  // failed stays failed

    harness bind(client());
    bind.start();
    bind.server(header);
    bind.server(features("<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism></mechanisms>"));
    bind.server("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" +
                base64_encode(std::string_view("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")) + "</challenge>");
    // (the password differs from the vector's, so the server signature cannot match)
    a = bind.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" +
                    base64_encode(std::string_view("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")) + "</success>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].ec == stream_errc::auth_protocol);
}

TEST_CASE("component: handshake from the stream id and the secret (XEP-0114 §3)", "[stream]") {
    stream_settings s;
    s.component = true;
    s.domain = "callcontrol.meet.test";
    s.secret = "secret";
    harness h(s);
    auto a = h.start();
    REQUIRE(a.size() == 1);
    CHECK(a[0].data.find("xmlns='jabber:component:accept'") != std::string::npos);
    a = h.server("<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
                 "xmlns:stream='http://etherx.jabber.org/streams' from='callcontrol.meet.test' id='id'>");
    REQUIRE(a.size() == 1);
    // sha1("idsecret"), as computed by `printf '%s' idsecret | sha1sum`
    CHECK(a[0].data == "<handshake>2555325ab8349486fb4f5bb190bf753b87a5bbc8</handshake>");
    a = h.server("<handshake/>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].type == kind::ready);
    CHECK(h.fsm.jid() == "callcontrol.meet.test");

    harness wrong(s);
    wrong.start();
    wrong.server("<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
                 "xmlns:stream='http://etherx.jabber.org/streams' id='id'>");
    a = wrong.server("<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].ec == stream_errc::handshake_failed);
}

/// RFC 7395: each WebSocket message is one element, read with parse_fragment.
std::vector<stream_action> ws(harness& h, std::string text) {
    // Over WebSocket each message declares its prefixes (Prosody's mod_websocket adds xmlns:stream).
    if (text.starts_with("<stream:features>"))
        text.replace(0, 17, "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>");
    auto frag = parse_fragment(text);
    REQUIRE(frag);
    xml_event ev;
    ev.stanza = std::move(*frag);
    return h.keep(h.fsm.on_event(ev));
}

TEST_CASE("WebSocket framing: <open/> instead of the stream header, standalone stanzas (RFC 7395)", "[stream]") {
    auto s = client("", "");
    s.websocket = true;
    s.tls_active = true;  // wss://
    harness h(s);
    auto a = h.start();
    REQUIRE(a.size() == 1);
    CHECK(a[0].data.find("<open xmlns='urn:ietf:params:xml:ns:xmpp-framing'") == 0);
    CHECK(a[0].data.find("to='auth.meet.test'") != std::string::npos);
    CHECK(a[0].data.find("version='1.0'") != std::string::npos);
    // The connection turns the server's <open/> into a stream header event.
    xml_event open;
    open.type = xml_event::kind::stream_open;
    open.header = {"", "auth.meet.test", "ws1", "1.0", "en", std::string(ns::client)};
    CHECK(h.fsm.on_event(open).empty());
    a = ws(h, features("<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms>"));
    REQUIRE(a.size() == 1);
    a = ws(h, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    REQUIRE(a.size() == 2);
    CHECK(a[0].type == kind::restart);
    CHECK(a[1].data.find("<open xmlns='urn:ietf:params:xml:ns:xmpp-framing'") == 0);
    CHECK(h.fsm.on_event(open).empty());
    a = ws(h, features("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"));
    REQUIRE(a.size() == 1);
    // RFC 7395 §3.3.3: every message is a document of its own, so the iq declares jabber:client.
    CHECK(a[0].data.find("<iq xmlns='jabber:client'") == 0);
}

TEST_CASE("WebSocket URLs", "[stream]") {
    ws_url u;
    REQUIRE(parse_ws_url("wss://meet.example.com/xmpp-websocket?room=x", u));
    CHECK(u.tls);
    CHECK(u.host == "meet.example.com");
    CHECK(u.port == "443");
    CHECK(u.target == "/xmpp-websocket?room=x");
    REQUIRE(parse_ws_url("ws://127.0.0.1:5280/xmpp-websocket", u));
    CHECK_FALSE(u.tls);
    CHECK(u.host == "127.0.0.1");
    CHECK(u.port == "5280");
    REQUIRE(parse_ws_url("ws://[::1]:5280", u));
    CHECK(u.host == "::1");
    CHECK(u.port == "5280");
    CHECK(u.target == "/");
    CHECK_FALSE(parse_ws_url("http://meet.example.com/xmpp-websocket", u));
    CHECK_FALSE(parse_ws_url("wss:///xmpp-websocket", u));
}

namespace {

constexpr std::string_view bind_and_sm = "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><sm xmlns='urn:xmpp:sm:3'/>";
constexpr std::string_view bound =
    "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>user@auth.meet.test/jigasi-1</jid></bind></iq>";
constexpr std::string_view enable = "<enable xmlns='urn:xmpp:sm:3' resume='true' max='60'/>";

/// The RFC 5802 SCRAM exchange (user "user", password "pencil") up to the restarted stream's
/// header: the features that follow are the test's.
void authenticate(harness& h) {
    h.start();
    h.server(header);
    h.server(features(scram_and_plain));
    h.server("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" +
             base64_encode(std::string_view("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")) + "</challenge>");
    auto a = h.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" +
                      base64_encode(std::string_view("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")) + "</success>");
    REQUIRE(a.size() == 2);
    REQUIRE(a[0].type == kind::restart);
    REQUIRE(h.server(header).empty());
}

stream_settings resuming(std::uint32_t h = 7) {
    auto s = client("user", "pencil");
    s.resume = resume_point{"sm-1", h, "user@auth.meet.test/jigasi-1"};
    return s;
}

}  // namespace

TEST_CASE("XEP-0198: <enable/> after binding; <failed/> is a stream without it", "[stream]") {
    harness h(client("user", "pencil"));
    authenticate(h);
    REQUIRE(h.server(features(bind_and_sm)).size() == 1);
    auto a = h.server(bound);
    REQUIRE(a.size() == 1);
    CHECK(a[0].data == enable);
    a = h.server("<failed xmlns='urn:xmpp:sm:3'><unexpected-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].type == kind::ready);
    CHECK_FALSE(h.fsm.sm());
    CHECK(h.fsm.sm_failure() == "unexpected-request");
    CHECK(h.fsm.jid() == "user@auth.meet.test/jigasi-1");

    harness ok(client("user", "pencil"));
    authenticate(ok);
    ok.server(features(bind_and_sm));
    ok.server(bound);
    a = ok.server("<enabled xmlns='urn:xmpp:sm:3' id='sm-2' resume='true' max='300' location='10.0.0.1:5223'/>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].type == kind::ready);
    REQUIRE(ok.fsm.sm());
    CHECK(ok.fsm.sm()->id == "sm-2");
    CHECK(ok.fsm.sm()->resume);
    CHECK(ok.fsm.sm()->max == std::chrono::seconds(300));
    CHECK(ok.fsm.sm()->location == "10.0.0.1:5223");
    CHECK_FALSE(ok.fsm.resumed());

    // Anything else in its place ends negotiation.
    harness stray(client("user", "pencil"));
    authenticate(stray);
    stray.server(features(bind_and_sm));
    stray.server(bound);
    a = stray.server("<message><body>early</body></message>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].ec == stream_errc::unexpected);
}

TEST_CASE("XEP-0198: not enabled when off, not offered, for a component; never resumable when anonymous", "[stream]") {
    auto off = client("user", "pencil");
    off.stream_management = false;
    harness h(off);
    authenticate(h);
    h.server(features(bind_and_sm));
    auto a = h.server(bound);
    REQUIRE(a.size() == 1);
    CHECK(a[0].type == kind::ready);

    harness plain(client("user", "pencil"));
    authenticate(plain);
    plain.server(features("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"));
    a = plain.server(bound);
    REQUIRE(a.size() == 1);
    CHECK(a[0].type == kind::ready);
    CHECK_FALSE(plain.fsm.sm_offered());

    harness anon(client("", ""));
    anon.start();
    anon.server(header);
    anon.server(features("<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms>"));
    anon.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    anon.server(header);
    anon.server(features(bind_and_sm));
    a = anon.server("<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>x@meet.test/r</jid></bind></iq>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].data == "<enable xmlns='urn:xmpp:sm:3'/>");  // §5: a new login is a new identity
}

TEST_CASE("XEP-0198 §5: <resume/> instead of binding; <resumed/> keeps the session", "[stream]") {
    harness h(resuming(7));
    authenticate(h);
    auto a = h.server(features(bind_and_sm));
    REQUIRE(a.size() == 1);
    CHECK(a[0].data == "<resume xmlns='urn:xmpp:sm:3' previd='sm-1' h='7'/>");
    a = h.server("<resumed xmlns='urn:xmpp:sm:3' h='3' previd='sm-1'/>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].type == kind::ready);
    CHECK(h.fsm.resumed());
    CHECK(h.fsm.resumed_h() == 3u);
    CHECK(h.fsm.jid() == "user@auth.meet.test/jigasi-1");
    CHECK_FALSE(h.fsm.sm());  // the connection's stream_mgmt goes on with the old grant
    CHECK(h.fsm.resume_failure().empty());

    harness bad(resuming());
    authenticate(bad);
    bad.server(features(bind_and_sm));
    a = bad.server("<resumed xmlns='urn:xmpp:sm:3' h='many' previd='sm-1'/>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].ec == stream_errc::unexpected);

    harness other(resuming());
    authenticate(other);
    other.server(features(bind_and_sm));
    a = other.server("<resumed xmlns='urn:xmpp:sm:3' h='1' previd='sm-9'/>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].ec == stream_errc::unexpected);
}

TEST_CASE("XEP-0198 §5: <failed/> to <resume/> falls back to a fresh session (bind, enable)", "[stream]") {
    harness h(resuming());
    authenticate(h);
    h.server(features(bind_and_sm));
    auto a = h.server("<failed xmlns='urn:xmpp:sm:3' h='5'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].data.find("<iq type='set' id='bind-1'>") == 0);
    a = h.server(bound);
    REQUIRE(a.size() == 1);
    CHECK(a[0].data == enable);
    a = h.server("<enabled xmlns='urn:xmpp:sm:3' id='sm-new' resume='true'/>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].type == kind::ready);
    CHECK_FALSE(h.fsm.resumed());
    CHECK(h.fsm.resume_failure() == "item-not-found");
    REQUIRE(h.fsm.sm());
    CHECK(h.fsm.sm()->id == "sm-new");

    // A server that no longer offers stream management cannot resume either.
    harness gone(resuming());
    authenticate(gone);
    a = gone.server(features("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"));
    REQUIRE(a.size() == 1);
    CHECK(a[0].data.find("<iq type='set' id='bind-1'>") == 0);
    a = gone.server(bound);
    REQUIRE(a.size() == 1);
    CHECK(a[0].type == kind::ready);
    CHECK_FALSE(gone.fsm.resumed());
    CHECK_FALSE(gone.fsm.resume_failure().empty());
}

TEST_CASE("XEP-0198: a component stream never negotiates it", "[stream]") {
    stream_settings s;
    s.component = true;
    s.domain = "callcontrol.meet.test";
    s.secret = "secret";
    harness h(s);
    h.start();
    h.server("<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
             "xmlns:stream='http://etherx.jabber.org/streams' from='callcontrol.meet.test' id='id'>");
    auto a = h.server("<handshake/>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].type == kind::ready);
    CHECK_FALSE(h.fsm.sm());
}
