// anyserial-plugin-check: the checker as a program of its own (CI, and until the CLI's
// `anyserial plugin-check` verb calls the same entry).
#include <anyserial/checker/checker.hpp>

int main(int argc, char **argv) {
    return anyserial::checker::run(argc, argv);
}
