// The Alicat decoder against the spec's grammar (alicat.md §5-§8, §13), with frames and
// tables written by hand here, never produced by the simulator.
#define BOOST_TEST_MODULE alicat_codec
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "alicat/codec.hpp"

using namespace anyserial::alicat;

namespace {

// §13 example 1: a V10 controller at id C (DEFAULT layout, abridged).
const std::vector<std::string> kDefaultTable = {
    "C D00 ID_ NAME______________________ TYPE_______ WIDTH NOTES___________________",
    "C D01 700 Unit ID                    string          1",
    "C D02 002 Abs Press                  s decimal     7/2 010 02 PSIA",
    "C D03 005 Mass Flow                  s decimal     7/2 007 02 SLPM",
    "C D04 037 Mass Flow Setpt            s decimal     7/2 007 02 SLPM",
    "C D05 703 Gas                        string          6",
    "C D06 701 *Error                     string          3 ADC",
    "C D07 702 *Status                    string          3 HLD",
    "C D08 702 *Status                    string          3 MOV",
};

// A 5v12-style LEGACY table (§8.1): two spaces after the id, names, min/max, units.
const std::vector<std::string> kLegacyTable = {
    "A  D00 NAME_______ TYPE_____ MinVal_ MaxVal_ UNITS__",
    "A  D01 Unit ID     char      A       Z       na",
    "A  D02 Pressure    signed    -0014.7 +0160.0 PSIA",
    "A  D03 Temperature signed    -0050.0 +0150.0 `C",
    "A  D04 Volumetric  signed    -0500.0 +0500.0 CCM",
    "A  D05 Mass        signed    -0500.0 +0500.0 SCCM",
    "A  D06 SetPoint    signed    +0000.0 +0500.0 SCCM",
    "A  D07 Gas         string    Air     H2      na",
    "A  D08 Error       string    na      ADC     na",
    "A  D09 Status      string    na      HLD     na",
    "A  D10 Status      string    na      MOV     na",
    "A  D11 Status      string    na      TMF     na",
};

Format parse(const std::vector<std::string> &lines, char uid) {
    FormatParser p(uid);
    for (const std::string &l : lines) {
        const std::string why = p.add_line(l);
        BOOST_TEST_REQUIRE(why.empty(), l << ": " << why);
    }
    Format f;
    const std::string why = p.finish(f);
    BOOST_TEST_REQUIRE(why.empty(), why);
    return f;
}

}  // namespace

BOOST_AUTO_TEST_CASE(default_table_columns_names_units_and_conditionals) {
    const Format f = parse(kDefaultTable, 'C');
    BOOST_TEST((f.layout == Layout::default_layout));
    BOOST_TEST_REQUIRE(f.columns.size() == 8u);
    BOOST_TEST(f.non_conditional() == 5u);
    BOOST_TEST(f.columns[0].id == "unit_id");
    BOOST_TEST(f.columns[1].id == "abs_press");
    BOOST_TEST(f.columns[1].name == "Abs Press");
    BOOST_TEST(f.columns[1].unit == "PSIA");
    BOOST_TEST(f.columns[2].id == "mass_flow");
    BOOST_TEST(f.columns[2].unit == "SLPM");
    BOOST_TEST(f.columns[3].id == "mass_flow_setpt");
    BOOST_TEST(f.columns[3].name == "Mass Flow Setpt");
    BOOST_TEST(f.columns[3].stat == 37);
    BOOST_TEST(f.columns[4].id == "gas");
    BOOST_TEST(f.columns[4].text);
    BOOST_TEST(f.columns[4].unit == "");
    BOOST_TEST(f.columns[5].conditional);
    BOOST_TEST(f.columns[5].mnemonic == "ADC");
    BOOST_TEST(f.columns[7].mnemonic == "MOV");
    BOOST_TEST(f.has_mnemonic("HLD"));
    BOOST_TEST(!f.has_mnemonic("TMF"));
}

BOOST_AUTO_TEST_CASE(default_table_unknown_statistic_gets_snake_case_id_and_degree_unit) {
    const Format f = parse({"A D00 ID_ NAME______ TYPE_______ WIDTH NOTES___",
                            "A D01 700 Unit ID    string          1",
                            "A D02 003 Flow Temp  s decimal     7/2 002 02 `C",
                            "A D03 015 Baro Press decimal       6/1 010 02 PSIA"},
                           'A');
    BOOST_TEST(f.columns[1].unit ==
               "\xC2\xB0"
               "C");
    BOOST_TEST(f.columns[2].id == "baro_press");
    BOOST_TEST(!f.columns[2].text);
}

BOOST_AUTO_TEST_CASE(legacy_table_maps_names_to_statistics) {
    const Format f = parse(kLegacyTable, 'A');
    BOOST_TEST((f.layout == Layout::legacy));
    BOOST_TEST(f.non_conditional() == 7u);
    BOOST_TEST(f.columns[1].id == "abs_press");
    BOOST_TEST(f.columns[1].name == "Pressure");
    BOOST_TEST(f.columns[1].unit == "PSIA");
    BOOST_TEST(f.columns[2].unit ==
               "\xC2\xB0"
               "C");
    BOOST_TEST(f.columns[5].id == "mass_flow_setpt");
    BOOST_TEST(f.columns[6].id == "gas");
    BOOST_TEST(f.columns[6].text);
    BOOST_TEST(f.columns[7].conditional);
    BOOST_TEST(f.columns[7].mnemonic == "ADC");
    BOOST_TEST(f.columns[10].mnemonic == "TMF");
}

BOOST_AUTO_TEST_CASE(example_2_frame_with_hold) {
    const Format f = parse(kDefaultTable, 'C');
    Decoded d;
    std::string why;
    BOOST_TEST_REQUIRE(
        (decode_frame("C +015.02 +002.31 +002.50     Ar HLD", f, 'C', d, &why) == FrameError::none),
        why);
    BOOST_TEST(d.values.size() == 5u);
    BOOST_TEST(d.values[1].number == 15.02);
    BOOST_TEST(d.values[2].number == 2.31);
    BOOST_TEST(d.values[3].number == 2.50);
    BOOST_TEST(d.values[4].text == "Ar");
    BOOST_TEST(d.status == std::vector<std::string>{"HLD"});
    BOOST_TEST(d.flags == (uint64_t{1} << flag_bit("HLD")));
}

BOOST_AUTO_TEST_CASE(legacy_frame_and_conditional_status_in_any_order) {
    const Format f = parse(kLegacyTable, 'A');
    Decoded d;
    std::string why;
    BOOST_TEST_REQUIRE((decode_frame("A +014.70 +023.40 +050.10 +049.80 +050.00     N2 TMF MOV XYZ",
                                     f, 'A', d, &why) == FrameError::none),
                       why);
    BOOST_TEST(d.values[4].number == 49.8);
    BOOST_TEST(d.values[6].text == "N2");
    BOOST_TEST(d.flags == ((uint64_t{1} << flag_bit("MOV")) | (uint64_t{1} << flag_bit("TMF"))));
    BOOST_TEST(d.unknown == std::vector<std::string>{"XYZ"});  // kept raw
}

BOOST_AUTO_TEST_CASE(dashes_are_absent_not_zero) {
    const Format f = parse(kDefaultTable, 'C');
    Decoded d;
    BOOST_TEST_REQUIRE(
        (decode_frame("C +015.02 -- +000.00     Ar", f, 'C', d, nullptr) == FrameError::none));
    BOOST_TEST(d.values[2].absent);
    BOOST_TEST(!d.values[3].absent);
    BOOST_TEST(d.values[3].number == 0.0);
    BOOST_TEST(d.flags == 0u);
}

BOOST_AUTO_TEST_CASE(truncated_frame_is_rejected) {
    const Format f = parse(kDefaultTable, 'C');
    Decoded d;
    std::string why;
    BOOST_TEST(
        (decode_frame("C +015.02 +002.31 +002.50", f, 'C', d, &why) == FrameError::structure));
    BOOST_TEST(why.find("truncated") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(non_number_in_numeric_column_is_rejected) {
    const Format f = parse(kDefaultTable, 'C');
    Decoded d;
    BOOST_TEST((decode_frame("C +015.02 abc +002.50     Ar", f, 'C', d, nullptr) ==
                FrameError::structure));
}

BOOST_AUTO_TEST_CASE(frame_from_another_unit_is_an_address_error) {
    const Format f = parse(kDefaultTable, 'C');
    Decoded d;
    BOOST_TEST((decode_frame("B +015.02 +002.31 +002.50     Ar", f, 'C', d, nullptr) ==
                FrameError::address));
}

BOOST_AUTO_TEST_CASE(high_bytes_make_the_line_noise) {
    const Format f = parse(kDefaultTable, 'C');
    Decoded d;
    BOOST_TEST(
        has_high_bytes("C +015.02 +0\xb0"
                       "2.31"));
    BOOST_TEST((decode_frame("C +015.02 +002.31 +002.50     Ar\xff", f, 'C', d, nullptr) ==
                FrameError::structure));
}

BOOST_AUTO_TEST_CASE(streamed_frames_with_at_or_leading_space) {
    const Format f = parse(kDefaultTable, 'C');
    Decoded d;
    std::string why;
    // §13 example 9: the id slot is empty, the line starts with a space.
    BOOST_TEST_REQUIRE(
        (decode_frame(" +015.01 +002.30 +002.50     Ar", f, 0, d, &why, true) == FrameError::none),
        why);
    BOOST_TEST(d.values[1].number == 15.01);
    BOOST_TEST(d.values[4].text == "Ar");
    BOOST_TEST_REQUIRE((decode_frame("@ +015.01 +002.30 +002.50     Ar MOV", f, 0, d, &why, true) ==
                        FrameError::none),
                       why);
    BOOST_TEST(d.flags == (uint64_t{1} << flag_bit("MOV")));
    BOOST_TEST((decode_frame("C +015.01 +002.30 +002.50     Ar", f, 0, d, &why, true) ==
                FrameError::structure));
}

BOOST_AUTO_TEST_CASE(rejections_per_spec) {
    BOOST_TEST(is_rejection("?"));
    BOOST_TEST(is_rejection("C ?"));
    BOOST_TEST(is_rejection("C   ?"));
    BOOST_TEST(!is_rejection("A ?whatever"));
    BOOST_TEST(!is_rejection("A +000.00 ?"));
    BOOST_TEST(!is_rejection(""));
}

BOOST_AUTO_TEST_CASE(gp_backspace_padding_is_stripped) {
    BOOST_TEST(strip_backspaces("A  M4 Mdl\b\b\b MC-5SLPM\b\b") == "A  M4 Mdl MC-5SLPM");
    Identity id;
    bool gp = false;
    BOOST_TEST(apply_m_line(strip_backspaces("A  M4 Mdl\b\b MC-5SLPM-D\b\b\b"), id, gp) == 4);
    BOOST_TEST(gp);
    BOOST_TEST(id.model == "MC-5SLPM-D");
    BOOST_TEST(apply_m_line(strip_backspaces("A  M8 Software\b\b GP07R100\b"), id, gp) == 8);
    BOOST_TEST(id.software == "GP07R100");
}

BOOST_AUTO_TEST_CASE(m_table_numeric_labels) {
    Identity id;
    bool gp = true;
    BOOST_TEST(apply_m_line("A  M00 ALICAT SCIENTIFIC", id, gp) == 0);
    BOOST_TEST(!gp);
    BOOST_TEST(apply_m_line("A  M04 Model Number MC-100SCCM-D   ", id, gp) == 4);
    BOOST_TEST(apply_m_line("A  M05 Serial Number 123456", id, gp) == 5);
    BOOST_TEST(apply_m_line("A  M09 Software Revision 10v20.0-R24", id, gp) == 9);
    BOOST_TEST(apply_m_line("A +014.62 +023.51", id, gp) == -1);
    BOOST_TEST(id.manufacturer == "ALICAT SCIENTIFIC");
    BOOST_TEST(id.model == "MC-100SCCM-D");
    BOOST_TEST(id.serial == "123456");
    BOOST_TEST(id.software == "10v20.0-R24");
}

BOOST_AUTO_TEST_CASE(firmware_generations) {
    const Firmware f = parse_firmware("   10v12.0-R24 Mar  3 2023,08:15:42");  // §13 example 3
    BOOST_TEST(f.known);
    BOOST_TEST(f.major == 10);
    BOOST_TEST(f.minor == 12);
    BOOST_TEST(f.text == "10v12.0-R24");
    BOOST_TEST(f.at_least(10, 5));
    BOOST_TEST(!f.at_least(10, 13));
    BOOST_TEST(parse_firmware("5v12").at_least(5, 7));
    BOOST_TEST(!parse_firmware("8v30").at_least(9, 0));
    const Firmware gp = parse_firmware("GP07R100");
    BOOST_TEST(gp.gp);
    BOOST_TEST(!gp.at_least(1, 0));
    BOOST_TEST(!parse_firmware("no version here 2023-03-03").known);
}

BOOST_AUTO_TEST_CASE(kind_by_longest_model_prefix) {
    BOOST_TEST((kind_from_model("MC-100SCCM-D") == Kind::gas_flow_controller));
    BOOST_TEST((kind_from_model("MCRD-50SLPM") == Kind::gas_flow_controller));
    BOOST_TEST((kind_from_model("M-100SCCM-D") == Kind::gas_flow_meter));
    BOOST_TEST((kind_from_model("MS-10SLPM") == Kind::gas_flow_meter));
    BOOST_TEST((kind_from_model("PC-15PSIA") == Kind::pressure_controller));
    BOOST_TEST((kind_from_model("PCD-100PSIG") == Kind::pressure_controller));
    BOOST_TEST((kind_from_model("P-30PSIA") == Kind::pressure_meter));
    BOOST_TEST((kind_from_model("LC-10CCM") == Kind::liquid_controller));
    BOOST_TEST((kind_from_model("XYZ") == Kind::unknown));
}

BOOST_AUTO_TEST_CASE(numbers_to_width_and_decimals) {
    BOOST_TEST(format_number(14.62, 7, 2, true) == "+014.62");
    BOOST_TEST(format_number(-0.034, 7, 3, true) == "-00.034");
    BOOST_TEST(format_number(116.3, 6, 1, false) == "0116.3");
    double v = 0;
    BOOST_TEST(parse_number("+014.62", v));
    BOOST_TEST(v == 14.62);
    BOOST_TEST(parse_number("-00.034", v));
    BOOST_TEST(v == -0.034);
    BOOST_TEST(!parse_number("--", v));
    BOOST_TEST(!parse_number("1e5", v));
    BOOST_TEST(is_absent_token("-------"));
}

BOOST_AUTO_TEST_CASE(table_from_two_units_is_refused) {
    FormatParser p('C');
    BOOST_TEST(p.add_line(kDefaultTable[0]).empty());
    BOOST_TEST(!p.add_line("B D01 700 Unit ID                    string          1").empty());
}

BOOST_AUTO_TEST_CASE(table_without_header_or_rows_is_refused) {
    FormatParser p('C');
    BOOST_TEST(!p.add_line(kDefaultTable[1]).empty());
    Format f;
    BOOST_TEST(!p.finish(f).empty());
    FormatParser q('C');
    BOOST_TEST(q.add_line(kDefaultTable[0]).empty());
    BOOST_TEST(!q.finish(f).empty());
}
