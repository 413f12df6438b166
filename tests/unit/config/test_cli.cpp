// parse_cli(), apply_cli() and usage().

#include "config/cli.hpp"
#include "config_test_util.hpp"

#include <catch2/catch.hpp>

using namespace jigasi::config;
using jigasi::config::test::parse_ok;
using strings = std::vector<std::string>;

namespace {

cli_options cli(std::vector<const char*> args) {
    args.insert(args.begin(), "jigasi-ng");
    return parse_cli(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_CASE("no flags", "[config]") {
    auto o = cli({});
    CHECK(o.errors.empty());
    CHECK_FALSE(o.config_path);
    CHECK_FALSE(o.help);
    config cfg = defaults();
    apply_cli(cfg, o);
    CHECK(cfg == defaults());
}

TEST_CASE("every value flag in both forms", "[config]") {
    struct row {
        const char* flag;
        const char* value;
    };
    for (auto [flag, value] : {row{"--config", "/etc/j.json"}, row{"--domain", "example.org"},
                               row{"--host", "xmpp.local"}, row{"--port", "5348"}, row{"--subdomain", "cc"},
                               row{"--secret", "s3cret"}, row{"--min-port", "30000"}, row{"--max-port", "40000"},
                               row{"--threads", "8"}}) {
        std::string joined = std::string(flag) + "=" + value;
        for (auto o : {cli({flag, value}), cli({joined.c_str()})}) {
            INFO(flag);
            CHECK(o.errors.empty());
            std::string f = flag;
            if (f == "--config") CHECK(o.config_path == value);
            if (f == "--domain") CHECK(o.domain == value);
            if (f == "--host") CHECK(o.host == value);
            if (f == "--subdomain") CHECK(o.subdomain == value);
            if (f == "--secret") CHECK(o.secret == value);
            if (f == "--port") CHECK(o.port == std::uint16_t{5348});
            if (f == "--min-port") CHECK(o.min_port == std::uint16_t{30000});
            if (f == "--max-port") CHECK(o.max_port == std::uint16_t{40000});
            if (f == "--threads") CHECK(o.threads == 8u);
        }
    }
    // A value may contain '=' and start with '-' in the = form.
    CHECK(cli({"--secret=a=b"}).secret == "a=b");
    CHECK(cli({"--secret=-x"}).secret == "-x");
}

TEST_CASE("switches", "[config]") {
    auto o = cli({"--check-config", "--help", "--version"});
    CHECK(o.errors.empty());
    CHECK(o.check_config);
    CHECK(o.help);
    CHECK(o.version);
    CHECK(cli({"-h"}).help);
    CHECK(cli({"--nocomponent"}).nocomponent == true);
    CHECK(cli({"--nocomponent=true"}).nocomponent == true);
    CHECK(cli({"--nocomponent=false"}).nocomponent == false);
    CHECK(cli({"--nocomponent", "false"}).nocomponent == false);
    auto then_flag = cli({"--nocomponent", "--domain", "d"});
    CHECK(then_flag.errors.empty());
    CHECK(then_flag.nocomponent == true);
    CHECK(then_flag.domain == "d");
}

TEST_CASE("flag errors", "[config]") {
    CHECK(cli({"--x"}).errors == strings{"unknown option --x"});
    CHECK(cli({"--configdir=/etc/jitsi"}).errors == strings{"unknown option --configdir"});
    CHECK(cli({"-v"}).errors == strings{"unknown option -v"});
    CHECK(cli({"stray"}).errors == strings{"unexpected argument \"stray\""});
    CHECK(cli({"--port", "http"}).errors == strings{"--port: expected an integer 1..65535, got \"http\""});
    CHECK(cli({"--port=0"}).errors == strings{"--port: expected an integer 1..65535, got \"0\""});
    CHECK(cli({"--min-port=70000"}).errors == strings{"--min-port: expected an integer 1..65535, got \"70000\""});
    CHECK(cli({"--max-port=-1"}).errors == strings{"--max-port: expected an integer 1..65535, got \"-1\""});
    CHECK(cli({"--max-port=1e4"}).errors == strings{"--max-port: expected an integer 1..65535, got \"1e4\""});
    CHECK(cli({"--threads", "99999999999999999999"}).errors ==
          strings{"--threads: expected an integer 0..1024, got \"99999999999999999999\""});
    CHECK(cli({"--domain"}).errors == strings{"--domain: missing value"});
    CHECK(cli({"--domain", "--host", "h"}).errors == strings{"--domain: missing value"});
    CHECK(cli({"--domain="}).errors == strings{"--domain: empty value"});
    CHECK(cli({"--help=yes"}).errors == strings{"--help takes no value"});
    CHECK(cli({"--nocomponent=maybe"}).errors == strings{"--nocomponent: expected true or false, got \"maybe\""});
    // Every problem is reported, not only the first.
    CHECK(cli({"--x", "--port=abc", "--y"}).errors.size() == 3);
}

TEST_CASE("launcher flags enable the component and aim the default deployment", "[config]") {
    config cfg = defaults();
    apply_cli(cfg, cli({"--domain=meet.example.com", "--secret=topsecret", "--min-port=12000", "--max-port=12100"}));
    const auto& comp = cfg.xmpp.component;
    CHECK(comp.enabled);
    CHECK(comp.domain == "meet.example.com");
    CHECK(comp.secret == "topsecret");
    CHECK(comp.subdomain == "callcontrol");
    CHECK(cfg.media.min_port == 12000);
    CHECK(cfg.media.max_port == 12100);
    const auto& s = cfg.xmpp.servers[0];
    CHECK(s.domain == "meet.example.com");
    // Derived keys follow the new domain.
    CHECK(s.muc_domain == "muc.meet.example.com");
    CHECK(s.focus_jid == "focus.meet.example.com");
    CHECK(s.control.auth_domain == "auth.meet.example.com");
    CHECK(s.control.brewery == "jigasibrewery@internal-muc.meet.example.com");
    CHECK(s.control.allowed_jid == s.control.brewery);
    CHECK(validate(cfg).empty());

    config hosted = defaults();
    apply_cli(hosted, cli({"--host", "prosody", "--port", "5348", "--subdomain", "gw", "--threads", "3"}));
    CHECK(hosted.xmpp.component.enabled);
    CHECK(hosted.xmpp.component.host == "prosody");
    CHECK(hosted.xmpp.component.port == 5348);
    CHECK(hosted.xmpp.component.subdomain == "gw");
    CHECK(hosted.xmpp.servers[0].host == "prosody");
    CHECK(hosted.xmpp.servers[0].port == 5222);  // --port is the component's
    CHECK(hosted.server.threads == 3);
}

TEST_CASE("--nocomponent wins over the flags and the file", "[config]") {
    config cfg = defaults();
    apply_cli(cfg, cli({"--nocomponent=true", "--domain=d", "--secret=s"}));
    CHECK_FALSE(cfg.xmpp.component.enabled);
    CHECK(cfg.xmpp.component.domain == "d");

    config file = parse_ok(R"({"xmpp": {"component": {"enabled": true, "domain": "d", "secret": "s"}}})");
    apply_cli(file, cli({"--nocomponent"}));
    CHECK_FALSE(file.xmpp.component.enabled);
    config kept = parse_ok(R"({"xmpp": {"component": {"enabled": true, "domain": "d", "secret": "s"}}})");
    apply_cli(kept, cli({"--nocomponent=false"}));
    CHECK(kept.xmpp.component.enabled);
}

TEST_CASE("flags keep custom names and named deployments", "[config]") {
    config cfg = parse_ok(R"({"xmpp": {"servers": [
        {"id": "default", "muc_domain": "conference.meet.jitsi", "control": {"brewery": "gw@rooms.meet.jitsi"}},
        {"id": "other", "domain": "other.org"}]}})");
    apply_cli(cfg, cli({"--domain=new.org", "--host=h"}));
    const auto& s = cfg.xmpp.servers[0];
    CHECK(s.domain == "new.org");
    CHECK(s.muc_domain == "conference.meet.jitsi");  // set by hand: kept
    CHECK(s.focus_jid == "focus.new.org");
    CHECK(s.control.brewery == "gw@rooms.meet.jitsi");
    CHECK(s.control.allowed_jid == "gw@rooms.meet.jitsi");
    CHECK(cfg.xmpp.servers[1].domain == "other.org");
    CHECK(cfg.xmpp.servers[1].host == "127.0.0.1");
}

TEST_CASE("flags re-applied on reload give the same result", "[config]") {
    auto o = cli({"--domain=a.org", "--secret=s"});
    config once = defaults();
    apply_cli(once, o);
    config twice = once;
    apply_cli(twice, o);
    CHECK(twice == once);
}

TEST_CASE("usage lists every flag", "[config]") {
    std::string text = usage();
    for (const char* flag : {"--config", "--check-config", "--help", "-h", "--version", "--threads", "--domain",
                             "--host", "--port", "--subdomain", "--secret", "--nocomponent", "--min-port",
                             "--max-port"}) {
        INFO(flag);
        CHECK(text.find(flag) != std::string::npos);
    }
    // One line per flag, each with a description after the name.
    CHECK(text.find("--min-port PORT") != std::string::npos);
}
