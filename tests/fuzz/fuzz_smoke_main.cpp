// Runs a fuzz target's LLVMFuzzerTestOneInput over corpus files and directories without
// libFuzzer, so the entry points are exercised in every CI run (g++ builds included).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size);

namespace fs = std::filesystem;

static void run_file(const fs::path &p, unsigned &count) {
    std::ifstream in(p, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    // Also every prefix, which covers truncated frames without a bigger corpus.
    for (std::size_t n = 0; n < bytes.size(); ++n)
        LLVMFuzzerTestOneInput(bytes.data(), n);
    ++count;
}

int main(int argc, char **argv) {
    unsigned count = 0;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg(argv[i]);
        if (fs::is_directory(arg)) {
            for (const auto &entry : fs::directory_iterator(arg))
                if (entry.is_regular_file()) run_file(entry.path(), count);
        } else {
            run_file(arg, count);
        }
    }
    std::printf("ran %u corpus inputs\n", count);
    return count > 0 ? 0 : 1;  // an empty corpus means the test is misconfigured
}
