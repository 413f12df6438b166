// Command-line flags: jigasi-ng's own and the Jigasi launcher's (jigasi.sh passes them as
// --flag=value, docker images as --flag value; both work).

#include "config/cli.hpp"

#include "config/detail.hpp"

#include <array>
#include <charconv>
#include <string_view>

namespace jigasi::config {

namespace {

enum class arg_kind { none, text, port, threads, boolean };

struct flag_spec {
    std::string_view name;
    arg_kind kind;
    std::string_view arg;   ///< placeholder in --help
    std::string_view help;
};

// One table for parsing and --help, so a flag cannot be accepted but undocumented.
constexpr std::array<flag_spec, 13> flags = {{
    {"config", arg_kind::text, "FILE", "read the configuration from FILE (default: built-in)"},
    {"check-config", arg_kind::none, "", "check the configuration, print its problems, exit (non-zero on error)"},
    {"help", arg_kind::none, "", "print this help and exit (also -h)"},
    {"version", arg_kind::none, "", "print the version and exit"},
    {"threads", arg_kind::threads, "N", "I/O threads, 0 = one per core (server.threads)"},
    {"domain", arg_kind::text, "DOMAIN", "XMPP domain (xmpp.component.domain, default server's domain)"},
    {"host", arg_kind::text, "HOST", "XMPP server (xmpp.component.host, default server's host)"},
    {"port", arg_kind::port, "PORT", "XEP-0114 component port (xmpp.component.port)"},
    {"subdomain", arg_kind::text, "NAME", "component name: NAME.DOMAIN (xmpp.component.subdomain)"},
    {"secret", arg_kind::text, "SECRET", "component secret set in Prosody (xmpp.component.secret)"},
    {"nocomponent", arg_kind::boolean, "[=true|false]", "never run the component (wins over the file and the flags)"},
    {"min-port", arg_kind::port, "PORT", "lowest UDP port for media (media.min_port)"},
    {"max-port", arg_kind::port, "PORT", "highest UDP port for media (media.max_port)"},
}};

const flag_spec* find_flag(std::string_view name) {
    for (const auto& f : flags)
        if (f.name == name) return &f;
    return nullptr;
}

std::optional<std::uint64_t> to_number(std::string_view s, std::uint64_t lo, std::uint64_t hi) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty() || n < lo || n > hi) return std::nullopt;
    return n;
}

void store_value(cli_options& o, const flag_spec& f, std::string_view value) {
    const std::string flag = "--" + std::string(f.name);
    if (f.kind == arg_kind::port) {
        auto n = to_number(value, 1, 65535);
        if (!n) return o.errors.push_back(flag + ": expected an integer 1..65535, got \"" + std::string(value) + "\"");
        auto port = static_cast<std::uint16_t>(*n);
        (f.name == "port" ? o.port : f.name == "min-port" ? o.min_port : o.max_port) = port;
    } else if (f.kind == arg_kind::threads) {
        auto n = to_number(value, 0, 1024);
        if (!n) return o.errors.push_back(flag + ": expected an integer 0..1024, got \"" + std::string(value) + "\"");
        o.threads = static_cast<unsigned>(*n);
    } else if (f.kind == arg_kind::boolean) {
        if (value != "true" && value != "false")
            return o.errors.push_back(flag + ": expected true or false, got \"" + std::string(value) + "\"");
        o.nocomponent = value == "true";
    } else if (value.empty()) {
        o.errors.push_back(flag + ": empty value");
    } else {
        std::string v(value);
        if (f.name == "config") o.config_path = v;
        else if (f.name == "domain") o.domain = v;
        else if (f.name == "host") o.host = v;
        else if (f.name == "subdomain") o.subdomain = v;
        else if (f.name == "secret") o.secret = v;
    }
}

void store_switch(cli_options& o, std::string_view name) {
    if (name == "check-config") o.check_config = true;
    else if (name == "help") o.help = true;
    else if (name == "version") o.version = true;
    else if (name == "nocomponent") o.nocomponent = true;
}

}  // namespace

cli_options parse_cli(int argc, const char* const* argv) {
    cli_options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i] ? argv[i] : "";
        if (arg == "-h") {
            o.help = true;
            continue;
        }
        if (!arg.starts_with("--") || arg == "--") {
            o.errors.push_back(arg.starts_with("-") ? "unknown option " + std::string(arg)
                                                     : "unexpected argument \"" + std::string(arg) + "\"");
            continue;
        }
        std::string_view name = arg.substr(2);
        std::optional<std::string_view> value;
        if (auto eq = name.find('='); eq != std::string_view::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        const flag_spec* f = find_flag(name);
        if (!f) {
            o.errors.push_back("unknown option --" + std::string(name));
            continue;
        }
        if (f->kind == arg_kind::none) {
            if (value) o.errors.push_back("--" + std::string(name) + " takes no value");
            else store_switch(o, name);
            continue;
        }
        if (f->kind == arg_kind::boolean && !value) {
            // "--nocomponent" alone means true; "--nocomponent false" is accepted too.
            std::string_view next = i + 1 < argc && argv[i + 1] ? argv[i + 1] : "";
            if (next == "true" || next == "false") value = argv[++i];
            else store_switch(o, name);
            if (!value) continue;
        }
        if (!value) {
            // A following flag is not taken as the value: "--domain --host x" is a mistake.
            if (i + 1 >= argc || !argv[i + 1] || std::string_view(argv[i + 1]).starts_with("--")) {
                o.errors.push_back("--" + std::string(name) + ": missing value");
                continue;
            }
            value = argv[++i];
        }
        store_value(o, *f, *value);
    }
    return o;
}

void apply_cli(config& cfg, const cli_options& o) {
    auto& comp = cfg.xmpp.component;
    if (o.domain) comp.domain = *o.domain;
    if (o.host) comp.host = *o.host;
    if (o.port) comp.port = *o.port;
    if (o.subdomain) comp.subdomain = *o.subdomain;
    if (o.secret) comp.secret = *o.secret;
    // jitsi-protocol.md 1.4: the launcher flags are how Jigasi was told to run as a component.
    if (o.nocomponent.value_or(false)) comp.enabled = false;
    else if (o.domain || o.host || o.port || o.subdomain || o.secret) comp.enabled = true;

    // The same flags describe the deployment; aim the built-in one at it. A file that names its
    // own deployments has said where they are and is left alone.
    for (auto& s : cfg.xmpp.servers) {
        if (s.id != "default") continue;
        if (o.domain) detail::set_domain(s, *o.domain);
        if (o.host) s.host = *o.host;
    }
    if (o.min_port) cfg.media.min_port = *o.min_port;
    if (o.max_port) cfg.media.max_port = *o.max_port;
    if (o.threads) cfg.server.threads = *o.threads;
    fill_derived(cfg);
}

std::string usage() {
    std::string out =
        "Usage: jigasi-ng [options]\n"
        "SIP gateway for Jitsi Meet. Without --config it runs on the built-in defaults\n"
        "(admin, REST and metrics on http://127.0.0.1:8788/). Flags override the file.\n"
        "Options with a value accept both --flag VALUE and --flag=VALUE.\n\n"
        "Options:\n";
    for (const auto& f : flags) {
        if (f.name == "domain") out += "\nJigasi launcher flags (any of --domain --host --port --subdomain --secret\n"
                                       "enables the XEP-0114 component unless --nocomponent=true):\n";
        std::string left = "  --" + std::string(f.name);
        if (!f.arg.empty()) left += (f.arg.front() == '[' ? "" : " ") + std::string(f.arg);
        if (left.size() < 30) left.resize(30, ' ');
        else left += "  ";
        out += left + std::string(f.help) + "\n";
    }
    return out;
}

}  // namespace jigasi::config
