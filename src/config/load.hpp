#pragma once
// Reading, validating and writing the configuration file (JSON with comments, RFC 8259 + // and /* */).

#include "config/config.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jigasi::config {

/// One problem found in a configuration. `where` is "origin:line:column" for syntax errors and the key
/// path for semantic ones ("sip.accounts[1].password"); `message` says what is wrong ("required").
struct problem {
    std::string where;
    std::string message;
    std::string to_string() const { return where + ": " + message; }
};

struct load_result {
    std::optional<config> value;           ///< set only when there are no errors
    std::vector<problem> errors;
    std::vector<problem> warnings;         ///< accepted but suspicious (e.g. PLAIN without TLS)
};

/// The embedded default configuration (what runs without --config), derived defaults filled in.
config defaults();

/// Applied to the model after reading and before validation: the command-line flags, which may
/// supply what the file leaves out (e.g. --secret for a component the file enables).
using adjust_fn = std::function<void(config&)>;

/// Parse `text` (named `origin` in messages), reject unknown keys and wrong types, apply defaults for
/// missing keys, fill derived defaults, run `adjust`, and validate. Never throws on bad input.
load_result parse(std::string_view text, std::string_view origin, const adjust_fn& adjust = {});

/// parse() of a file's contents; a file that cannot be read is an error at "path".
load_result load_file(const std::string& path, const adjust_fn& adjust = {});

/// Fill the defaults that depend on other keys (muc_domain = "muc." + domain, ...). Idempotent;
/// run after flags are applied so that --domain flows into them.
void fill_derived(config& cfg);

/// Semantic checks on a complete model (ranges, required keys, uniqueness, port order).
std::vector<problem> validate(const config& cfg);

/// The model as JSON text in the file format (parse(to_json(c)) == c). Secrets are replaced by
/// "********" when `redact` is set (for the admin API and logs).
std::string to_json(const config& cfg, bool redact);

/// Write the file atomically: temp file in the same folder, fsync, keep the previous file as
/// `path + ".prev"`, rename. Returns an error message, empty on success.
std::string save_file(const config& cfg, const std::string& path);

std::string_view to_string(log_level);
std::optional<log_level> parse_log_level(std::string_view);

}  // namespace jigasi::config
