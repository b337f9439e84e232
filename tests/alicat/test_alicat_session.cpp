// The Alicat session: against devices scripted by hand from the spec (which token goes to
// which generation, how replies decode), then round trips against the simulator for every
// command, and split invariance of feed().
#define BOOST_TEST_MODULE alicat_session
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "harness.hpp"

using namespace test;
namespace bdata = boost::unit_test::data;

namespace {

// A hand-written V10 controller at C (§13 examples 1-4, 6, 8), firmware `fw`.
std::map<std::string, std::string> v10_controller(const std::string &fw) {
    std::string m;
    const char *ml[] = {"M00 ALICAT SCIENTIFIC",
                        "M01 www.alicat.com",
                        "M02 Ph   520-290-6060",
                        "M03 info@alicat.com",
                        "M04 Model Number MCR-5SLPM-D  ",
                        "M05 Serial Number 98765",
                        "M06 Date Manufactured 03/01/2023",
                        "M07 Date Calibrated   03/02/2023",
                        "M08 Calibrated By     JS",
                        "M09 Software Revision "};
    for (const char *l : ml)
        m += std::string("C  ") + l + (std::string(l).rfind("M09", 0) == 0 ? fw : "") + "\r";
    const std::string d =
        "C D00 ID_ NAME______________________ TYPE_______ WIDTH NOTES___________________\r"
        "C D01 700 Unit ID                    string          1\r"
        "C D02 002 Abs Press                  s decimal     7/2 010 02 PSIA\r"
        "C D03 005 Mass Flow                  s decimal     7/2 007 02 SLPM\r"
        "C D04 037 Mass Flow Setpt            s decimal     7/2 007 02 SLPM\r"
        "C D05 703 Gas                        string          6\r"
        "C D06 701 *Error                     string          3 ADC\r"
        "C D07 702 *Status                    string          3 HLD\r"
        "C D08 702 *Status                    string          3 MOV\r";
    return {{"C??M*\r", m},
            {"C??D*\r", d},
            {"C\r", "C +015.02 +002.31 +002.50     Ar HLD\r"},
            {"CLS 1.25\r", "C +000.40 +001.25 7 SLPM\r"},
            {"CLS\r", "C +000.40 +001.25 7 SLPM\r"},
            {"CGS 1\r", "C 1 Ar Argon\r"},
            {"CGS\r", "C 1 Ar Argon\r"},
            {"CHP\r", "C +015.02 +002.31 +002.50     Ar HLD\r"},
            {"CGS 300\r", "C ?\r"}};
}

// A hand-written 8v30 controller at D with the DEFAULT layout (§13 example 5's frame).
std::map<std::string, std::string> v8_controller() {
    return {{"D??M*\r",
             "D  M00 ALICAT SCIENTIFIC\rD  M01 www.alicat.com\rD  M02 Ph 1\rD  M03 Fax  2\r"
             "D  M04 Model Number MC-50SLPM-D\rD  M05 Serial Number 555\rD  M06 x\rD  M07 y\r"
             "D  M08 z\rD  M09 Software Revision 8v30\r"},
            {"D??D*\r",
             "D D00 ID_ NAME______________________ TYPE_______ WIDTH NOTES___________________\r"
             "D D01 700 Unit ID                    string          1\r"
             "D D02 002 Abs Press                  s decimal     7/2 010 02 PSIA\r"
             "D D03 003 Flow Temp                  s decimal     7/2 002 02 `C\r"
             "D D04 004 Volu Flow                  s decimal     7/2 007 02 LPM\r"
             "D D05 005 Mass Flow                  s decimal     7/2 007 02 SLPM\r"
             "D D06 037 Mass Flow Setpt            s decimal     7/2 007 02 SLPM\r"
             "D D07 703 Gas                        string          6\r"},
            {"DG 7\r", "D +014.71 +023.05 +000.00 +000.00 +000.00     He\r"},
            {"DS 2.5\r", "D +014.71 +023.05 +000.00 +000.00 +002.50     He\r"},
            {"D\r", "D +014.71 +023.05 +000.00 +000.00 +002.50     He\r"}};
}

// A GP meter at A: ??M* in M0..M8 with backspace padding, LEGACY ??D*, no VE.
std::map<std::string, std::string> gp_meter() {
    return {
        {"A??M*\r",
         "A  M0 ALICAT SCIENTIFIC\b\b\rA  M1 x\rA  M2 y\rA  M3 z\rA  M4 Mdl\b\b M-10SLPM-D\b\b\r"
         "A  M5 Serial No.\b 4242\rA  M6 Date Mfg. 01/01/2010\rA  M7 Calibrated By\b XX\r"
         "A  M8 Software\b\b GP07R100\b\r"},
        {"A??D*\r",
         "A  D00 NAME_______ TYPE_____ MinVal_ MaxVal_ UNITS__\r"
         "A  D01 Unit ID     char      A       Z       na\r"
         "A  D02 Pressure    signed    -0014.7 +0160.0 PSIA\b\b\r"
         "A  D03 Temperature signed    -0050.0 +0150.0 `C\r"
         "A  D04 Volumetric  signed    -0500.0 +0500.0 LPM\r"
         "A  D05 Mass        signed    -0500.0 +0500.0 SLPM\r"
         "A  D06 Gas         string    Air     H2      na\r"
         "A  D07 Status      string    na      MOV     na\r"},
        {"A\r", "A +014.70 +023.40 +005.10 +004.80     N2 MOV\r"},
        {"A$$T\r", ""}};
}

Outcome command(Session &s, const Device &d, const char *id,
                std::vector<anyserial_arg_value_t> args = {}, Split split = Split::whole,
                unsigned seed = 1) {
    std::vector<const anyserial_arg_value_t *> ptrs;
    for (const auto &a : args)
        ptrs.push_back(&a);
    return run(s, request(ANYSERIAL_OP_COMMAND, id, &ptrs), d, split, seed);
}

}  // namespace

// ---- hand-written devices -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(identify_reads_m_and_d_tables_of_a_v10_controller) {
    Session s(false, options("C"));
    const Outcome o = run(s, request(ANYSERIAL_OP_IDENTIFY), script(v10_controller("10v12.0-R24")));
    BOOST_TEST_REQUIRE(o.status == ANYSERIAL_OK, o.error);
    BOOST_TEST(o.sent == (std::vector<std::string>{"C??M*\r", "C??D*\r"}));  // firmware from M09
    BOOST_TEST(o.texts.at("model") == "MCR-5SLPM-D");
    BOOST_TEST(o.texts.at("serial_number") == "98765");
    BOOST_TEST(o.texts.at("firmware") == "10v12.0-R24");
    BOOST_TEST(o.texts.at("manufacturer") == "ALICAT SCIENTIFIC");
    BOOST_TEST_REQUIRE(s.channel_count() == 4u);
    anyserial_channel_info_t c{};
    c.struct_size = sizeof c;
    BOOST_TEST(s.get_channel(0, c) == ANYSERIAL_OK);
    BOOST_TEST(std::string(c.id) == "abs_press");
    BOOST_TEST(std::string(c.name) == "Abs Press");
    BOOST_TEST(std::string(c.unit) == "PSIA");
    BOOST_TEST(s.get_channel(2, c) == ANYSERIAL_OK);
    BOOST_TEST(std::string(c.kind) == "setpoint");
    BOOST_TEST(s.get_channel(3, c) == ANYSERIAL_OK);
    BOOST_TEST(c.value_type == ANYSERIAL_VALUE_TEXT);
}

BOOST_AUTO_TEST_CASE(table_ends_at_its_first_conditional_row) {
    // Rows come in frame order, conditional ones last: at `D06 701 *Error` every channel is
    // known. The rest of the table is left to the core (it drains before the next request).
    Session s(false, options("C"));
    auto dev = v10_controller("10v12.0-R24");
    BOOST_TEST(s.begin(request(ANYSERIAL_OP_READ_FRAME)) == ANYSERIAL_OK);
    anyserial_transaction_t tx{};
    tx.struct_size = sizeof tx;
    BOOST_TEST_REQUIRE(s.next_transaction(tx) == ANYSERIAL_OK);
    BOOST_TEST(std::string(reinterpret_cast<const char *>(tx.data), tx.len) == "C??D*\r");
    BOOST_TEST(tx.end_on_silence_ns == 100'000'000u);
    BOOST_TEST(tx.idle_before_ns == 100'000'000u);
    const std::string &d = dev.at("C??D*\r");
    const std::size_t error_row_end = d.find("ADC\r") + 4;
    anyserial_protocol_event_t ev{};
    ev.struct_size = sizeof ev;
    BOOST_TEST(s.feed({reinterpret_cast<const uint8_t *>(d.data()), d.size()}, ev) ==
               error_row_end);
    BOOST_TEST(ev.type == ANYSERIAL_EVENT_RESPONSE);
    BOOST_TEST(s.channel_count() == 4u);
    BOOST_TEST_REQUIRE(s.next_transaction(tx) == ANYSERIAL_OK);
    BOOST_TEST(std::string(reinterpret_cast<const char *>(tx.data), tx.len) == "C\r");
    BOOST_TEST(tx.idle_before_ns == 100'000'000u);  // waits out the table's tail
}

BOOST_AUTO_TEST_CASE(table_without_conditional_rows_ends_on_silence) {
    Session s(false, options("D"));
    auto dev = v8_controller();
    BOOST_TEST(s.begin(request(ANYSERIAL_OP_READ_FRAME)) == ANYSERIAL_OK);
    anyserial_transaction_t tx{};
    tx.struct_size = sizeof tx;
    BOOST_TEST_REQUIRE(s.next_transaction(tx) == ANYSERIAL_OK);
    const std::string &d = dev.at("D??D*\r");
    anyserial_protocol_event_t ev{};
    ev.struct_size = sizeof ev;
    BOOST_TEST(s.feed({reinterpret_cast<const uint8_t *>(d.data()), d.size()}, ev) == d.size());
    BOOST_TEST(ev.type == ANYSERIAL_EVENT_NEED_MORE);
    BOOST_TEST(s.feed({}, ev) == 0u);  // the core's end-of-input after end_on_silence_ns
    BOOST_TEST(ev.type == ANYSERIAL_EVENT_RESPONSE);
    BOOST_TEST(s.channel_count() == 6u);
}

BOOST_AUTO_TEST_CASE(poll_decodes_example_2) {
    Session s(false, options("C"));
    const Outcome o =
        run(s, request(ANYSERIAL_OP_READ_FRAME), script(v10_controller("10v12.0-R24")));
    BOOST_TEST_REQUIRE(o.status == ANYSERIAL_OK, o.error);
    BOOST_TEST(o.sent == (std::vector<std::string>{"C??D*\r", "C\r"}));
    BOOST_TEST(o.readings.at("abs_press").number == 15.02);
    BOOST_TEST(o.readings.at("mass_flow").number == 2.31);
    BOOST_TEST(o.readings.at("mass_flow_setpt").number == 2.50);
    BOOST_TEST(o.reading_texts.at("gas") == "Ar");
    BOOST_TEST(o.device_flags == (uint64_t{1} << anyserial::alicat::flag_bit("HLD")));
    BOOST_TEST(o.readings.count("unit_id") == 0u);
}

BOOST_AUTO_TEST_CASE(setpoint_on_10v_uses_ls_and_reports_the_setpoint_in_force) {
    Session s(false, options("C"));
    const Device d = script(v10_controller("10v12.0-R24"));
    const Outcome o = command(s, d, "setpoint.set", {number_arg(1.25)});
    BOOST_TEST_REQUIRE(o.status == ANYSERIAL_OK, o.error);
    BOOST_TEST(o.sent.back() == "CLS 1.25\r");
    BOOST_TEST(o.fields.at("setpoint").number == 0.40);  // §13 example 6: ramping
    BOOST_TEST(o.fields.at("setpoint_requested").number == 1.25);
    BOOST_TEST(std::string(o.fields.at("setpoint").unit) == "SLPM");
    const Outcome g = command(s, d, "setpoint.get");
    BOOST_TEST(g.sent == std::vector<std::string>{"CLS\r"});  // identity cached
}

BOOST_AUTO_TEST_CASE(setpoint_and_gas_on_8v_use_s_and_g_and_read_the_frame) {
    Session s(false, options("D"));
    const Device d = script(v8_controller());
    Outcome o = command(s, d, "gas.set", {text_arg("He")});
    BOOST_TEST_REQUIRE(o.status == ANYSERIAL_OK, o.error);
    BOOST_TEST(o.sent.back() == "DG 7\r");  // §13 example 5
    BOOST_TEST(o.texts.at("gas") == "He");
    BOOST_TEST(o.fields.at("gas_code").number == 7);
    BOOST_TEST(o.has_frame);
    o = command(s, d, "setpoint.set", {number_arg(2.5)});
    BOOST_TEST_REQUIRE(o.status == ANYSERIAL_OK, o.error);
    BOOST_TEST(o.sent == std::vector<std::string>{"DS 2.5\r"});
    BOOST_TEST(o.fields.at("setpoint").number == 2.5);
    o = command(s, d, "setpoint.get");  // no query below 9v: the poll's setpoint column
    BOOST_TEST(o.sent == std::vector<std::string>{"D\r"});
    BOOST_TEST(o.fields.at("setpoint").number == 2.5);
    o = command(s, d, "gas.get");
    BOOST_TEST(o.sent == std::vector<std::string>{"D\r"});
    BOOST_TEST(o.texts.at("gas") == "He");
    // streaming.start's interval needs NCS (10v05): refused before any byte
    o = command(s, d, "streaming.start", {number_arg(100)});
    BOOST_TEST(o.status == ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(o.sent.empty());
}

BOOST_AUTO_TEST_CASE(gas_select_on_10v05_uses_gs_example_4) {
    Session s(false, options("C"));
    const Outcome o = command(s, script(v10_controller("10v12.0-R24")), "gas.set", {text_arg("1")});
    BOOST_TEST_REQUIRE(o.status == ANYSERIAL_OK, o.error);
    BOOST_TEST(o.sent.back() == "CGS 1\r");
    BOOST_TEST(o.texts.at("gas") == "Ar");
    BOOST_TEST(o.texts.at("gas_name") == "Argon");
    BOOST_TEST(o.fields.at("gas_code").number == 1);
}

BOOST_AUTO_TEST_CASE(gas_select_below_10v05_uses_g_even_on_10v04) {
    Session s(false, options("C"));
    auto dev = v10_controller("10v04.0-R22");
    dev["CG 8\r"] = "C +015.02 +002.31 +002.50     N2\r";
    const Outcome o = command(s, script(dev), "gas.set", {text_arg("n2")});
    BOOST_TEST_REQUIRE(o.status == ANYSERIAL_OK, o.error);
    BOOST_TEST(o.sent.back() == "CG 8\r");
    BOOST_TEST(o.texts.at("gas") == "N2");
}

BOOST_AUTO_TEST_CASE(rejection_is_an_exception_example_8) {
    Session s(false, options("C"));
    const Outcome o =
        command(s, script(v10_controller("10v12.0-R24")), "gas.set", {text_arg("300")});
    // 300 is out of 0..255: refused by the plugin before a byte.
    BOOST_TEST(o.status == ANYSERIAL_E_INVALID_ARGUMENT);
    auto dev = v10_controller("10v12.0-R24");
    dev["CGS 200\r"] = "C ?\r";
    Session s2(false, options("C"));
    const Outcome r = command(s2, script(dev), "gas.set", {text_arg("200")});
    BOOST_TEST(r.events.back() == ANYSERIAL_EVENT_EXCEPTION);
    BOOST_TEST(r.exception.find("rejected 'CGS 200'") != std::string::npos, r.exception);
    dev["CGS 201\r"] = "?\r";
    const Outcome r2 = command(s2, script(dev), "gas.set", {text_arg("201")});
    BOOST_TEST(r2.events.back() == ANYSERIAL_EVENT_EXCEPTION);
}

BOOST_AUTO_TEST_CASE(meter_refuses_setpoint_and_valves_before_any_byte) {
    Session s(false, options("A"));
    const Device d = script(gp_meter());
    const Outcome id = run(s, request(ANYSERIAL_OP_IDENTIFY), d);
    BOOST_TEST_REQUIRE(id.status == ANYSERIAL_OK, id.error);
    BOOST_TEST(id.texts.at("model") == "M-10SLPM-D");
    BOOST_TEST(id.texts.at("serial_number") == "4242");
    BOOST_TEST(id.texts.at("firmware") == "GP07R100");
    BOOST_TEST(id.texts.at("layout") == "legacy");
    for (const char *c : {"setpoint.set", "valve.close", "valve.hold"}) {
        const Outcome o = command(s, d, c, {number_arg(1)});
        BOOST_TEST(o.status == ANYSERIAL_E_NOT_SUPPORTED, c);
        BOOST_TEST(o.sent.empty(), c);
    }
    // GP tare: `$$`, and a write with no reply (§1)
    const Outcome t = command(s, d, "tare.flow");
    BOOST_TEST_REQUIRE(t.status == ANYSERIAL_OK, t.error);
    BOOST_TEST(t.sent == std::vector<std::string>{"A$$T\r"});
    const Outcome p = run(s, request(ANYSERIAL_OP_READ_FRAME), d);
    BOOST_TEST_REQUIRE(p.status == ANYSERIAL_OK, p.error);
    BOOST_TEST(p.readings.at("mass_flow").number == 4.8);
    BOOST_TEST(p.readings.at("mass_flow").flags ==
               (uint64_t{1} << anyserial::alicat::flag_bit("MOV")));
    BOOST_TEST(p.readings.at("abs_press").flags == 0u);
}

BOOST_AUTO_TEST_CASE(unknown_status_tokens_are_kept_raw) {
    Session s(false, options("C"));
    auto dev = v10_controller("10v12.0-R24");
    dev["C\r"] = "C +015.02 +002.31 +002.50     Ar MOV QQQ\r";
    const Device d = script(dev);
    BOOST_TEST_REQUIRE(run(s, request(ANYSERIAL_OP_READ_FRAME), d).status == ANYSERIAL_OK);
    BOOST_TEST_REQUIRE(s.begin(request(ANYSERIAL_OP_READ_FRAME)) == ANYSERIAL_OK);
    anyserial_transaction_t tx{};
    tx.struct_size = sizeof tx;
    BOOST_TEST_REQUIRE(s.next_transaction(tx) == ANYSERIAL_OK);
    const std::string &r = dev.at("C\r");
    anyserial_protocol_event_t ev{};
    ev.struct_size = sizeof ev;
    (void)s.feed({reinterpret_cast<const uint8_t *>(r.data()), r.size()}, ev);
    BOOST_TEST_REQUIRE(s.next_transaction(tx) == ANYSERIAL_DONE);
    anyserial_protocol_result_t res{};
    res.struct_size = sizeof res;
    BOOST_TEST_REQUIRE(s.result(res) == ANYSERIAL_OK);
    BOOST_TEST_REQUIRE(res.frame != nullptr);
    BOOST_TEST_REQUIRE(res.frame->field_count == 1u);
    BOOST_TEST(std::string(res.frame->fields[0]->id) == "unknown_status");
    BOOST_TEST(std::string(res.frame->fields[0]->text) == "QQQ");
    BOOST_TEST(res.frame->device_flags == (uint64_t{1} << anyserial::alicat::flag_bit("MOV")));
}

BOOST_AUTO_TEST_CASE(reply_from_another_unit_is_bad_frame_address) {
    Session s(false, options("C"));
    auto dev = v10_controller("10v12.0-R24");
    dev["C\r"] = "B +015.02 +002.31 +002.50     Ar\r";
    const Outcome o = run(s, request(ANYSERIAL_OP_READ_FRAME), script(dev));
    BOOST_TEST(o.bad_reasons == std::vector<uint32_t>{ANYSERIAL_BAD_FRAME_ADDRESS});
}

BOOST_AUTO_TEST_CASE(high_byte_line_is_bad_frame_structure) {
    Session s(false, options("C"));
    auto dev = v10_controller("10v12.0-R24");
    dev["C\r"] =
        "C +015.02 +0\xb2"
        "2.31 +002.50     Ar\r";
    const Outcome o = run(s, request(ANYSERIAL_OP_READ_FRAME), script(dev));
    BOOST_TEST(o.bad_reasons == std::vector<uint32_t>{ANYSERIAL_BAD_FRAME_STRUCTURE});
}

BOOST_AUTO_TEST_CASE(truncated_poll_is_bad_frame_structure) {
    Session s(false, options("C"));
    auto dev = v10_controller("10v12.0-R24");
    dev["C\r"] = "C +015.02 +002.31\r";
    const Outcome o = run(s, request(ANYSERIAL_OP_READ_FRAME), script(dev));
    BOOST_TEST(o.bad_reasons == std::vector<uint32_t>{ANYSERIAL_BAD_FRAME_STRUCTURE});
}

BOOST_AUTO_TEST_CASE(m_table_refused_falls_back_on_ve) {
    Session s(false, options("C"));
    auto dev = v10_controller("10v12.0-R24");
    dev["C??M*\r"] = "C ?\r";
    dev["CVE\r"] = "C   10v12.0-R24 Mar  3 2023,08:15:42\r";
    const Outcome o = run(s, request(ANYSERIAL_OP_IDENTIFY), script(dev));
    BOOST_TEST_REQUIRE(o.status == ANYSERIAL_OK, o.error);
    BOOST_TEST(o.sent == (std::vector<std::string>{"C??M*\r", "CVE\r", "C??D*\r"}));
    BOOST_TEST(o.texts.at("firmware") == "10v12.0-R24");
}

BOOST_AUTO_TEST_CASE(bad_address_is_refused_at_creation) {
    BOOST_CHECK_THROW(Session(false, options("AA")), std::invalid_argument);
    BOOST_CHECK_THROW(Session(false, options("1")), std::invalid_argument);
    BOOST_TEST(Session(false, options("b")).uid() == 'B');
}

// ---- against the simulator -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(simulator_round_trips_every_command) {
    Simulator sim('A');
    const Device d = line_of({&sim});
    Session s(false, options("A"));
    Outcome o = run(s, request(ANYSERIAL_OP_IDENTIFY), d);
    BOOST_TEST_REQUIRE(o.status == ANYSERIAL_OK, o.error);
    BOOST_TEST(o.texts.at("model") == "MC-100SCCM-D");
    BOOST_TEST(s.channel_count() == 6u);

    o = command(s, d, "setpoint.set", {number_arg(20)});
    BOOST_TEST_REQUIRE(o.status == ANYSERIAL_OK, o.error);
    BOOST_TEST(o.sent == std::vector<std::string>{"ALS 20\r"});
    BOOST_TEST(sim.setpoint() == 20.0);
    BOOST_TEST(o.fields.at("setpoint").number == 20.0);
    o = command(s, d, "setpoint.get");
    BOOST_TEST(o.fields.at("setpoint").number == 20.0);
    o = run(s, request(ANYSERIAL_OP_READ_FRAME), d);
    BOOST_TEST(o.readings.at("mass_flow").number == 20.0);
    BOOST_TEST(o.readings.at("mass_flow_setpt").number == 20.0);

    o = command(s, d, "gas.set", {text_arg("Ar")});
    BOOST_TEST_REQUIRE(o.status == ANYSERIAL_OK, o.error);
    BOOST_TEST(o.sent == std::vector<std::string>{"AGS 1\r"});
    BOOST_TEST(sim.gas() == 1);
    o = command(s, d, "gas.get");
    BOOST_TEST(o.texts.at("gas") == "Ar");
    BOOST_TEST(o.texts.at("gas_name") == "Argon");

    o = command(s, d, "tare.flow");
    BOOST_TEST(o.sent == std::vector<std::string>{"AT\r"});
    BOOST_TEST(o.has_frame);
    o = command(s, d, "tare.pressure");
    BOOST_TEST(o.sent == std::vector<std::string>{"ATP\r"});

    o = command(s, d, "valve.hold");
    BOOST_TEST(o.sent == std::vector<std::string>{"AHP\r"});
    BOOST_TEST(o.fields.at("valve_hold").number == 1);
    (void)command(s, d, "setpoint.set", {number_arg(30)});
    o = run(s, request(ANYSERIAL_OP_READ_FRAME), d);
    BOOST_TEST(o.readings.at("mass_flow").number == 20.0);  // held
    o = command(s, d, "valve.close");
    BOOST_TEST(o.sent == std::vector<std::string>{"AHC\r"});
    BOOST_TEST(o.readings.at("mass_flow").number == 0.0);
    o = command(s, d, "valve.release");
    BOOST_TEST(o.sent == std::vector<std::string>{"AC\r"});
    BOOST_TEST(o.fields.at("valve_hold").number == 0);
    BOOST_TEST(o.readings.at("mass_flow").number == 30.0);

    o = command(s, d, "streaming.start", {number_arg(100)});
    BOOST_TEST_REQUIRE(o.status == ANYSERIAL_OK, o.error);
    BOOST_TEST(o.sent == (std::vector<std::string>{"ANCS 100\r", "A@ @\r"}));
    BOOST_TEST(sim.streaming());
    BOOST_TEST(sim.interval_ms() == 100u);
    o = run(s, request(ANYSERIAL_OP_READ_FRAME), d);
    BOOST_TEST(o.status == ANYSERIAL_E_STATE);  // nothing but the stop while it streams
    o = command(s, d, "streaming.stop");
    BOOST_TEST(o.sent == std::vector<std::string>{"@@ A\r"});
    BOOST_TEST(!sim.streaming());
    o = run(s, request(ANYSERIAL_OP_READ_FRAME), d);
    BOOST_TEST(o.status == ANYSERIAL_OK);
}

BOOST_AUTO_TEST_CASE(a_fresh_session_stops_a_streaming_unit_without_asking_it_anything) {
    // A unit left streaming by another program answers nothing: the stop goes out blind.
    Simulator sim('A');
    sim.start_streaming();
    Session s(false, options("A"));
    const Outcome o = command(s, line_of({&sim}), "streaming.stop");
    BOOST_TEST_REQUIRE(o.status == ANYSERIAL_OK, o.error);
    BOOST_TEST(o.sent == std::vector<std::string>{"@@ A\r"});
    BOOST_TEST(!sim.streaming());
}

BOOST_AUTO_TEST_CASE(simulator_refuses_out_of_range_setpoint_as_exception) {
    Simulator sim('A');
    Session s(false, options("A"));
    const Outcome o = command(s, line_of({&sim}), "setpoint.set", {number_arg(500)});
    BOOST_TEST(o.events.back() == ANYSERIAL_EVENT_EXCEPTION);
    BOOST_TEST(sim.setpoint() == 0.0);
}

BOOST_AUTO_TEST_CASE(two_controllers_share_a_line) {
    Simulator a('A'), b('B');
    const Device d = line_of({&a, &b});
    Session sa(false, options("A")), sb(false, options("B"));
    BOOST_TEST(command(sb, d, "setpoint.set", {number_arg(42)}).status == ANYSERIAL_OK);
    BOOST_TEST(b.setpoint() == 42.0);
    BOOST_TEST(a.setpoint() == 0.0);
    const Outcome oa = run(sa, request(ANYSERIAL_OP_READ_FRAME), d);
    const Outcome ob = run(sb, request(ANYSERIAL_OP_READ_FRAME), d);
    BOOST_TEST(oa.readings.at("mass_flow_setpt").number == 0.0);
    BOOST_TEST(ob.readings.at("mass_flow_setpt").number == 42.0);
}

BOOST_AUTO_TEST_CASE(simulator_faults) {
    Simulator sim('A');
    Session s(false, options("A"));
    const Device d = line_of({&sim});
    BOOST_TEST_REQUIRE(run(s, request(ANYSERIAL_OP_READ_FRAME), d).status == ANYSERIAL_OK);
    sim.set_fault(1, 0);  // corrupt: a byte >= 0x80
    BOOST_TEST(run(s, request(ANYSERIAL_OP_READ_FRAME), d).bad_reasons ==
               std::vector<uint32_t>{ANYSERIAL_BAD_FRAME_STRUCTURE});
    sim.set_fault(2, 0);  // silence
    BOOST_TEST(run(s, request(ANYSERIAL_OP_READ_FRAME), d).status == ANYSERIAL_E_TIMEOUT);
    sim.set_fault(3, 0);  // refuse everything
    BOOST_TEST(run(s, request(ANYSERIAL_OP_READ_FRAME), d).events.back() ==
               ANYSERIAL_EVENT_EXCEPTION);
    sim.set_fault(0, 0);
    sim.set_value("mass_flow", std::nullopt);
    sim.set_status(uint64_t{1} << anyserial::alicat::flag_bit("MOV"));
    const Outcome o = run(s, request(ANYSERIAL_OP_READ_FRAME), d);
    BOOST_TEST(o.readings.at("mass_flow").value_type == ANYSERIAL_VALUE_ABSENT);
    BOOST_TEST(o.device_flags == (uint64_t{1} << anyserial::alicat::flag_bit("MOV")));
}

BOOST_AUTO_TEST_CASE(stream_session_decodes_simulator_frames) {
    Simulator sim('A');
    sim.set_value("mass_flow_setpt", 12.5);
    sim.feed(0, "A@ @\r");
    Session st(true, options(nullptr));
    BOOST_TEST(st.begin(request(ANYSERIAL_OP_READ_FRAME)) == ANYSERIAL_E_NOT_SUPPORTED);
    char buf[256];
    uint64_t next = 0;
    int frames = 0;
    for (uint64_t now = 0; now < 200'000'000u; now = next) {
        const std::size_t n = sim.poll_output(now, buf, sizeof buf, next);
        std::size_t off = 0;
        while (off < n) {
            anyserial_protocol_event_t ev{};
            ev.struct_size = sizeof ev;
            off += st.feed({reinterpret_cast<const uint8_t *>(buf) + off, n - off}, ev);
            if (ev.type == ANYSERIAL_EVENT_FRAME) {
                ++frames;
                BOOST_TEST_REQUIRE(ev.frame->reading_count == 6u);
                BOOST_TEST(std::string(ev.frame->readings[4]->channel) == "mass_flow_setpt");
                BOOST_TEST(ev.frame->readings[4]->number == 12.5);
                BOOST_TEST(std::string(ev.frame->readings[5]->text) == "N2");
            }
        }
    }
    BOOST_TEST(frames == 4);  // 0, 50, 100, 150 ms at the default interval
    BOOST_TEST(sim.frames() == 4u);
    BOOST_TEST(st.channel_count() == 6u);
}

BOOST_AUTO_TEST_CASE(stream_session_rejects_a_servomex_continuous_line) {
    // Another broadcast protocol's line (a Servomex 4100 continuous frame, also starting with
    // a space) is a BAD_FRAME, and the layout is not guessed from it: the next real frame
    // still decodes with its own columns.
    Session st(true, options(nullptr));
    auto feed_line = [&](const std::string &line) {
        anyserial_protocol_event_t ev{};
        ev.struct_size = sizeof ev;
        st.feed({reinterpret_cast<const uint8_t *>(line.data()), line.size()}, ev);
        return ev;
    };
    const anyserial_protocol_event_t bad =
        feed_line(" 30-11-26;12:00:00;0;0;01;I1;Oxygen;%;  20.95;0000;1;0;0;0A3F;\r\n");
    BOOST_TEST(bad.type == ANYSERIAL_EVENT_BAD_FRAME);
    BOOST_TEST(bad.bad_frame_reason == ANYSERIAL_BAD_FRAME_STRUCTURE);
    BOOST_TEST(feed_line(" 30-11-26 12:00:00 0A3F\r").type == ANYSERIAL_EVENT_BAD_FRAME);
    BOOST_TEST(feed_line("@ +014.70 +025.00 N2 junk\r").type == ANYSERIAL_EVENT_BAD_FRAME);
    const anyserial_protocol_event_t ok =
        feed_line(" +014.70 +025.00 +000.00 +000.00 +012.50     N2 HLD\r");
    BOOST_TEST_REQUIRE(ok.type == ANYSERIAL_EVENT_FRAME);
    BOOST_TEST_REQUIRE(ok.frame->reading_count == 6u);
    BOOST_TEST(std::string(ok.frame->readings[5]->text) == "N2");
}

// ---- split invariance -------------------------------------------------------------------------

BOOST_DATA_TEST_CASE(feed_is_split_invariant, bdata::make({0, 1, 2}) * bdata::xrange(1u, 6u), mode,
                     seed) {
    const Split split = mode == 0 ? Split::whole : mode == 1 ? Split::bytes : Split::random;
    Simulator sim('A');
    sim.set_status(uint64_t{1} << anyserial::alicat::flag_bit("TMF"));
    Session s(false, options("A"));
    const Device d = line_of({&sim});
    const Outcome id = run(s, request(ANYSERIAL_OP_IDENTIFY), d, split, seed);
    BOOST_TEST_REQUIRE(id.status == ANYSERIAL_OK, id.error);
    BOOST_TEST(id.texts.at("serial_number") == "123456");
    BOOST_TEST(s.format().columns.size() == 8u);  // up to the first conditional row
    const Outcome o = command(s, d, "setpoint.set", {number_arg(7.5)}, split, seed);
    BOOST_TEST(o.fields.at("setpoint").number == 7.5);
    const Outcome f = run(s, request(ANYSERIAL_OP_READ_FRAME), d, split, seed);
    BOOST_TEST(f.readings.at("mass_flow").number == 7.5);
    BOOST_TEST(f.reading_texts.at("gas") == "N2");
    BOOST_TEST(f.device_flags == (uint64_t{1} << anyserial::alicat::flag_bit("TMF")));
    // Hand-written legacy GP replies, with backspaces, cut the same ways.
    Session g(false, options("A"));
    const Outcome gi = run(g, request(ANYSERIAL_OP_IDENTIFY), script(gp_meter()), split, seed);
    BOOST_TEST_REQUIRE(gi.status == ANYSERIAL_OK, gi.error);
    BOOST_TEST(gi.texts.at("model") == "M-10SLPM-D");
    BOOST_TEST(g.format().columns.size() == 7u);
}

BOOST_AUTO_TEST_CASE(a_data_frame_in_place_of_an_ls_reply_is_unexpected) {
    // §5: older firmware answers a newer command with a data frame; it must not pass for
    // an LS reply (its first two columns are numbers too).
    Session s(false, options("C"));
    auto dev = v10_controller("10v12.0-R24");
    dev["CLS\r"] = "C +015.02 +002.31 +002.50     Ar\r";
    const Outcome o = command(s, script(dev), "setpoint.get");
    BOOST_TEST(o.bad_reasons == std::vector<uint32_t>{ANYSERIAL_BAD_FRAME_UNEXPECTED});
}

BOOST_AUTO_TEST_CASE(m_table_numbered_m01_to_m10_ends_on_m10) {
    Session s(false, options("C"));
    auto dev = v10_controller("10v12.0-R24");
    std::string m;
    for (int i = 1; i <= 10; ++i) {
        char line[64];
        std::snprintf(line, sizeof line, "C  M%02d %s\r", i,
                      i == 5    ? "Model Number MC-5SLPM"
                      : i == 10 ? "Software Revision 9v01"
                                : "x");
        m += line;
    }
    dev["C??M*\r"] = m;
    const Outcome o = run(s, request(ANYSERIAL_OP_IDENTIFY), script(dev));
    BOOST_TEST_REQUIRE(o.status == ANYSERIAL_OK, o.error);
    BOOST_TEST(o.sent == (std::vector<std::string>{"C??M*\r", "C??D*\r"}));
    BOOST_TEST(o.texts.at("firmware") == "9v01");
}
