// anyserial plugin-check PATH.so [...] — the conformance checker of checker/ (see
// docs/plugin-check.md). It loads the plugin itself, in one child process per test, so the
// verb never touches ctx.host(): no plugin is loaded and no thread runs before it forks.
#include <anyserial/checker/checker.hpp>

#include "command.hpp"

namespace {

int run(anyserial::cli::Context &ctx) {
    return anyserial::checker::run(ctx.args, ctx.out, ctx.err);
}

const anyserial::cli::Registration reg{
    "plugin-check", "check a plugin .so against the ABI contract (named tests, each isolated)",
    &run};

}  // namespace
