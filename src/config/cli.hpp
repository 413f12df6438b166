#pragma once
// Command-line flags. Jigasi's launcher flags (--domain --host --port --subdomain --secret --min-port
// --max-port, jitsi-protocol.md §1.4) are accepted and override the file.

#include "config/config.hpp"
#include "config/load.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jigasi::config {

struct cli_options {
    std::optional<std::string> config_path;   ///< --config FILE
    bool check_config = false;                ///< --check-config
    bool help = false;                        ///< --help, -h
    bool version = false;                     ///< --version
    // Jigasi flags; each, when given, overrides the file.
    std::optional<std::string> domain, host, subdomain, secret;
    std::optional<std::uint16_t> port, min_port, max_port;
    std::optional<bool> nocomponent;          ///< --nocomponent[=true|false] (docker still passes it)
    std::optional<unsigned> threads;          ///< --threads N
    std::vector<std::string> errors;          ///< unknown flag, missing or malformed value
};

/// Accepts `--flag value` and `--flag=value`. Never throws; problems land in `errors`.
cli_options parse_cli(int argc, const char* const* argv);

/// Apply the flags to a loaded model, then fill_derived(). Any of --domain/--secret/--host/--port/
/// --subdomain enables the XEP-0114 component unless --nocomponent=true; --domain and --host also
/// set the deployment that came from the defaults (id "default").
void apply_cli(config& cfg, const cli_options& opts);

/// The --help text.
std::string usage();

}  // namespace jigasi::config
