// anyserial CLI — the options every verb that writes a user's file declares, turned into
// the sinks' SinkOptions (the rules are in <anyserial/sinks/output_file.hpp>).
#pragma once

#include <anyserial/sinks/sink.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

namespace anyserial::cli {

inline void add_output_options(boost::program_options::options_description &opts) {
    opts.add_options()("overwrite",
                       "replace an existing output file that has other content (default: "
                       "append to one with the same columns, refuse anything else)")(
        "follow-symlinks", "write through a symlink at the output path (default: refuse it)");
}

inline sinks::SinkOptions output_options(const boost::program_options::variables_map &vm) {
    sinks::SinkOptions o;
    o.overwrite = vm.count("overwrite") != 0;
    o.follow_symlinks = vm.count("follow-symlinks") != 0;
    return o;
}

}  // namespace anyserial::cli
